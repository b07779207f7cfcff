/** Policies for ephemeral preview environments. */
import type {
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

import { readConfig } from "./checks/config";
import { k8sTypes } from "./checks/kubernetes";
import {
  isInNamespace,
  isPreviewNamespace,
  marksPreview,
  namespaceIsolationProblems,
  namespaceLabel,
  previewNamespaceLabelProblems,
  type PreviewTtl,
  publicLoadBalancer,
} from "./checks/previews";
import type { Props } from "./checks/values";
import { reportEach, validateResourceOfTypes } from "./validation";

const namespaceLabelsSchema: PolicyConfigSchema = {
  properties: {
    maxTtlHours: {
      type: "integer",
      minimum: 1,
      // The PreviewEnvironment component accepts up to 90 days; config files may tighten this.
      default: 2160,
      description: "Longest a preview environment may live, in hours.",
    },
  },
};

export const previewNamespaceLabels: ResourceValidationPolicy = {
  name: "preview-namespace-labels",
  description: "Checks that preview namespaces name their pull request and when they expire.",
  enforcementLevel: "mandatory",
  configSchema: namespaceLabelsSchema,
  validateResource: validateResourceOfTypes([k8sTypes.namespace], (props, args, reportViolation) => {
    if (!isPreviewNamespace(args.type, props)) {
      return args.notApplicable("Not a preview namespace");
    }
    const ttl = readConfig<PreviewTtl>("preview-namespace-labels", namespaceLabelsSchema, args.getConfig());
    reportEach(reportViolation, previewNamespaceLabelProblems(props, ttl));
  }),
};

export const previewNamespaceIsolation: StackValidationPolicy = {
  name: "preview-namespace-isolation",
  description: "Checks that every preview namespace contains a ResourceQuota and a NetworkPolicy.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const namespaces = args.resources.filter((resource) => isPreviewNamespace(resource.type, resource.props));
    if (namespaces.length === 0) {
      return args.notApplicable("The stack has no preview namespace");
    }
    for (const namespace of namespaces) {
      const contained = args.resources.filter((resource) => isInNamespace(resource, namespace));
      reportEach(
        reportViolation,
        namespaceIsolationProblems(namespaceLabel(namespace, namespace.name), contained),
        namespace.urn,
      );
    }
  },
};

export interface PublicLoadBalancerConfig {
  readonly stackIsPreview: boolean;
}

const publicLoadBalancerSchema: PolicyConfigSchema = {
  properties: {
    stackIsPreview: {
      type: "boolean",
      default: false,
      description:
        "Treat every resource of the stack as part of a preview (set in the preview environments' config). " +
        "Otherwise only resources labelled or tagged as preview, or in a preview namespace, are checked.",
    },
  },
};

function publicLoadBalancerConfig(args: { getConfig<T extends object>(): T }): PublicLoadBalancerConfig {
  return readConfig<PublicLoadBalancerConfig>("preview-no-public-load-balancers", publicLoadBalancerSchema, args.getConfig());
}

function loadBalancerMessage(kind: string): string {
  return `previews must not create public load balancers: this is ${kind}; reach previews through the shared gateway`;
}

/**
 * Reported per resource (so `pulumi up` stops before creating it) when the
 * resource itself says it belongs to a preview, or the config says the whole
 * stack is one. Resources that are only known to be in a preview because of
 * their namespace are found by the stack check, which sees the namespaces.
 */
function flaggedPerResource(config: PublicLoadBalancerConfig, type: string, props: Props): boolean {
  return config.stackIsPreview || marksPreview(type, props);
}

export const previewNoPublicLoadBalancers: ResourceValidationPolicy & Pick<StackValidationPolicy, "validateStack"> = {
  name: "preview-no-public-load-balancers",
  description:
    "Checks that previews create no public load balancers (LoadBalancer Services, internet-facing AWS or Cloudflare load balancers).",
  enforcementLevel: "mandatory",
  configSchema: publicLoadBalancerSchema,
  validateResource: (args: ResourceValidationArgs, reportViolation) => {
    const kind = publicLoadBalancer(args.type, args.props);
    if (kind === undefined) {
      return args.notApplicable("Not a load balancer");
    }
    if (flaggedPerResource(publicLoadBalancerConfig(args), args.type, args.props)) {
      reportViolation(loadBalancerMessage(kind));
    }
  },
  validateStack: (args, reportViolation) => {
    const config = publicLoadBalancerConfig(args);
    const previewNamespaces = args.resources.filter((resource) => isPreviewNamespace(resource.type, resource.props));
    for (const resource of args.resources) {
      const kind = publicLoadBalancer(resource.type, resource.props);
      if (
        kind !== undefined &&
        resource.type.startsWith("kubernetes:") &&
        !flaggedPerResource(config, resource.type, resource.props) &&
        previewNamespaces.some((namespace) => isInNamespace(resource, namespace))
      ) {
        reportViolation(loadBalancerMessage(kind), resource.urn);
      }
    }
  },
};
