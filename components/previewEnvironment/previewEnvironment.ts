import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { managedBy, recommendedLabels, rollgateAnnotations, rollgateLabels } from "../labels";
import { ReleaseMetadata, releaseAnnotationValues } from "../releaseMetadata";
import { createRouter, RouterSpec } from "../trafficSplit/routers/registry";
import { Backend } from "../trafficSplit/router";
import { defaultRouter, TrafficSplit, TrafficSplitArgs, validateTrafficSplitArgs } from "../trafficSplit/trafficSplit";
import { checks, defined, isDns1035Label, isHostname, Problems } from "../validation";
import { ContainerResources, validateWebServiceArgs, WebService, WebServiceArgs } from "../webService";
import { createdAtProblem, expiresAt, ttlProblem } from "./expiry";
import { previewHostname, previewNamespaceName, prProblem, suffixLength } from "./naming";

/** A Cloudflare DNS record for the preview's host name. */
export interface PreviewDns {
  readonly zoneId: pulumi.Input<string>;
  /** API token with DNS edit rights on the zone; kept a Pulumi secret. */
  readonly apiToken: pulumi.Input<string>;
  /** Where the record points: the gateway's public host name (CNAME) or IP address (A/AAAA). */
  readonly target: string;
  /** Proxy through Cloudflare. Default false. */
  readonly proxied?: boolean;
}

/** Hard limits of the preview namespace (ResourceQuota). */
export interface PreviewQuota {
  readonly requestsCpu?: string;
  readonly requestsMemory?: string;
  readonly limitsCpu?: string;
  readonly limitsMemory?: string;
  readonly pods?: string;
}

/** Arguments of a {@link PreviewEnvironment}. */
export interface PreviewEnvironmentArgs {
  /** Application name (a DNS label starting with a letter). */
  readonly app: string;
  /** Pull request number. */
  readonly pr: number;
  /** Source branch of the pull request; any text, it is made DNS-safe. Recorded and used in the namespace name when known. */
  readonly branch?: string;
  /** Commit the image was built from; recorded when known. */
  readonly commitSha?: pulumi.Input<string>;
  /** Image built from the pull request. */
  readonly image: pulumi.Input<string>;
  /** Parent domain of preview host names: `pr-<n>.<previewDomain>`. */
  readonly previewDomain: string;
  /** When the preview was first created (ISO-8601); kept across updates so the expiry does not move. Plain: the expiry is computed from it. */
  readonly createdAt: string;
  /** Hours after `createdAt` when the preview may be destroyed. Default 72. */
  readonly ttlHours?: number;
  readonly replicas?: pulumi.Input<number>;
  readonly port?: pulumi.Input<number>;
  readonly healthPath?: pulumi.Input<string>;
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly resources?: ContainerResources;
  /** Traffic router for the preview's route. Default Gateway API (an HTTPRoute). */
  readonly router?: RouterSpec;
  /**
   * Namespace of the gateway or ingress controller, allowed through the
   * NetworkPolicy. Default: the Gateway API router's gateway namespace, else `rollgate-system`.
   */
  readonly ingressNamespace?: pulumi.Input<string>;
  /** Create a Cloudflare DNS record for the host name. */
  readonly dns?: PreviewDns;
  readonly quota?: PreviewQuota;
  /** Deployer (and release id), recorded on the Deployment. */
  readonly release?: ReleaseMetadata;
}

export const previewDefaults = {
  ttlHours: 72,
  replicas: 1,
  ingressNamespace: "rollgate-system",
  quota: { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", pods: "10" },
} as const;

/** DNS record type for a target: A for IPv4, AAAA for IPv6, else CNAME. */
export function dnsRecordType(target: string): "A" | "AAAA" | "CNAME" {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(target)) {
    return "A";
  }
  return target.includes(":") ? "AAAA" : "CNAME";
}

/**
 * An ephemeral environment for one pull request: its own namespace
 * (`pr-<n>-<branch>-<random>`, isolated by a NetworkPolicy, bounded by a
 * ResourceQuota and LimitRange), the PR's image as a `preview` WebService, a
 * route for `pr-<n>.<previewDomain>` and, when a zone is configured, a
 * Cloudflare DNS record. Labels and annotations record PR, branch, commit,
 * creation time and expiry.
 */
export class PreviewEnvironment extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly hostname: string;
  readonly namespace: pulumi.Output<string>;
  readonly image: pulumi.Output<string>;
  /** Name of the preview's Deployment: `<app>-preview`. */
  readonly deploymentName: pulumi.Output<string>;
  readonly expiresAt: string;

  constructor(name: string, args: PreviewEnvironmentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planPreviewEnvironment(name, args);
    super("rollgate:preview:PreviewEnvironment", name, {}, opts);

    const settings = { ...previewDefaults, ...defined(args) };
    const quota = { ...previewDefaults.quota, ...defined(args.quota ?? {}) };
    this.hostname = previewHostname(args.pr, args.previewDomain);
    this.expiresAt = expiresAt(args.createdAt, settings.ttlHours);
    const ingressNamespace =
      args.ingressNamespace ??
      createRouter(args.router ?? defaultRouter).proxyNamespace ??
      previewDefaults.ingressNamespace;

    const labels = {
      [recommendedLabels.name]: args.app,
      [recommendedLabels.partOf]: args.app,
      [recommendedLabels.managedBy]: managedBy,
      [rollgateLabels.environment]: "preview",
      [rollgateLabels.pr]: String(args.pr),
    };
    const annotations = {
      ...(args.branch !== undefined ? { [rollgateAnnotations.branch]: args.branch } : {}),
      ...(args.commitSha !== undefined ? { [rollgateAnnotations.commitSha]: args.commitSha } : {}),
      [rollgateAnnotations.createdAt]: args.createdAt,
      [rollgateAnnotations.expiresAt]: this.expiresAt,
      [rollgateAnnotations.ttlHours]: String(settings.ttlHours),
    };
    const opt = { parent: this };

    // New suffix only for a new PR number, so updates keep the namespace.
    const suffix = new random.RandomString(
      `${name}-suffix`,
      { length: suffixLength, lower: true, upper: false, numeric: true, special: false, keepers: { pr: String(args.pr) } },
      opt,
    );
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: suffix.result.apply((value) => previewNamespaceName(args.pr, args.branch ?? "", value)),
          labels,
          annotations,
        },
      },
      opt,
    );
    const ns = namespace.metadata.name;

    const resourceQuota = new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      {
        metadata: { name: "preview-quota", namespace: ns, labels },
        spec: {
          hard: {
            "requests.cpu": quota.requestsCpu,
            "requests.memory": quota.requestsMemory,
            "limits.cpu": quota.limitsCpu,
            "limits.memory": quota.limitsMemory,
            pods: quota.pods,
            "services.loadbalancers": "0",
            "services.nodeports": "0",
          },
        },
      },
      opt,
    );
    const limitRange = new k8s.core.v1.LimitRange(
      `${name}-limits`,
      {
        metadata: { name: "preview-limits", namespace: ns, labels },
        spec: {
          limits: [
            {
              type: "Container",
              default: { cpu: "500m", memory: "256Mi" },
              defaultRequest: { cpu: "50m", memory: "64Mi" },
              max: { cpu: "1", memory: "1Gi" },
            },
          ],
        },
      },
      opt,
    );
    const networkPolicy = new k8s.networking.v1.NetworkPolicy(
      `${name}-isolation`,
      {
        metadata: { name: "preview-isolation", namespace: ns, labels },
        spec: {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [
            { from: [{ podSelector: {} }] },
            {
              from: [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ingressNamespace } } },
              ],
            },
          ],
        },
      },
      opt,
    );

    const web = new WebService(
      `${name}-web`,
      plan.web(ns, { ...annotations, ...releaseAnnotationValues(args.release) }),
      { parent: this, dependsOn: [resourceQuota, limitRange, networkPolicy] },
    );
    const route = new TrafficSplit(
      `${name}-route`,
      plan.route(ns, { serviceName: web.serviceName, port: web.port }),
      { parent: this, dependsOn: [web] },
    );

    if (args.dns) {
      const provider = new cloudflare.Provider(`${name}-cloudflare`, { apiToken: pulumi.secret(args.dns.apiToken) }, opt);
      const proxied = args.dns.proxied ?? false;
      new cloudflare.DnsRecord(
        `${name}-dns`,
        {
          zoneId: args.dns.zoneId,
          name: this.hostname,
          type: dnsRecordType(args.dns.target),
          content: args.dns.target,
          proxied,
          ttl: proxied ? 1 : 300,
          comment: `rollgate preview: ${args.app} PR ${args.pr}`,
        },
        { ...opt, provider },
      );
    }

    this.url = route.url;
    this.namespace = ns;
    this.image = web.image;
    this.deploymentName = web.deploymentName;
    this.registerOutputs({
      url: this.url,
      hostname: this.hostname,
      namespace: this.namespace,
      image: this.image,
      deploymentName: this.deploymentName,
      expiresAt: this.expiresAt,
    });
  }
}

/** The children's arguments, checked before anything is created. */
interface PreviewPlan {
  readonly web: (
    namespace: pulumi.Input<string>,
    deploymentAnnotations: Readonly<Record<string, pulumi.Input<string>>>,
  ) => WebServiceArgs;
  readonly route: (namespace: pulumi.Input<string>, backend: Backend) => TrafficSplitArgs;
}

/** Builds the children's arguments and checks them and the preview's own; throws listing every problem. */
export function planPreviewEnvironment(name: string, args: PreviewEnvironmentArgs): PreviewPlan {
  const plan: PreviewPlan = {
    web: (namespace, deploymentAnnotations) => ({
      app: args.app,
      track: "preview",
      namespace,
      image: args.image,
      replicas: args.replicas ?? previewDefaults.replicas,
      labels: { [rollgateLabels.environment]: "preview", [rollgateLabels.pr]: String(args.pr) },
      ...(args.commitSha !== undefined ? { annotations: { [rollgateAnnotations.commitSha]: args.commitSha } } : {}),
      deploymentAnnotations,
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(args.healthPath !== undefined ? { healthPath: args.healthPath } : {}),
      ...(args.env !== undefined ? { env: args.env } : {}),
      ...(args.resources !== undefined ? { resources: args.resources } : {}),
    }),
    route: (namespace, backend) => ({
      app: args.app,
      namespace,
      hostnames: [previewHostnameOrPlaceholder(args)],
      stable: backend,
      canaryWeight: 0,
      ...(args.router ? { router: args.router } : {}),
    }),
  };
  const placeholderNamespace = "preview";
  validatePreviewEnvironmentArgs(name, args, (problems) =>
    problems
      .child(() => validateWebServiceArgs(`${name}-web`, plan.web(placeholderNamespace, {})))
      .child(() =>
        validateTrafficSplitArgs(
          `${name}-route`,
          plan.route(placeholderNamespace, { serviceName: `${args.app}-preview`, port: args.port ?? 8080 }),
        ),
      ),
  );
  return plan;
}

/** The preview's host name, or a valid stand-in when `pr` or `previewDomain` is invalid (reported separately). */
function previewHostnameOrPlaceholder(args: PreviewEnvironmentArgs): string {
  return prProblem(args.pr) === undefined && isHostname(args.previewDomain)
    ? previewHostname(args.pr, args.previewDomain)
    : "preview.invalid";
}

/** Checks the arguments; throws listing every problem. */
export function validatePreviewEnvironmentArgs(
  name: string,
  args: PreviewEnvironmentArgs,
  more: (problems: Problems) => void = () => undefined,
): void {
  const domainProblem = checks.hostname(args.previewDomain);
  const problems = new Problems()
    .when("app", isDns1035Label(args.app) ? undefined : `must be a DNS label starting with a letter (got "${args.app}")`)
    .when("pr", prProblem(args.pr))
    .when("branch", args.branch !== undefined && args.branch.trim().length === 0 ? "must not be empty when set" : undefined)
    .known("commitSha", args.commitSha, (sha) =>
      /^[0-9a-f]{7,64}$/.test(sha) ? undefined : `must be a hexadecimal commit SHA (got "${sha}")`,
    )
    .when("previewDomain", domainProblem)
    .when("createdAt", createdAtProblem(args.createdAt))
    .when("ttlHours", args.ttlHours === undefined ? undefined : ttlProblem(args.ttlHours))
    .when("dns.target", args.dns && args.dns.target.trim().length === 0 ? "must not be empty" : undefined)
    .known("dns.zoneId", args.dns?.zoneId, checks.nonEmpty);
  if (domainProblem === undefined && prProblem(args.pr) === undefined) {
    problems.when(
      "previewDomain",
      isHostname(previewHostname(args.pr, args.previewDomain)) ? undefined : "is too long for a host name",
    );
  }
  more(problems);
  problems.throwIfAny(`PreviewEnvironment "${name}"`);
}
