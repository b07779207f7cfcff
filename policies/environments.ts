/**
 * Policies whose rules differ per environment. The differences come from the
 * policy config files (`config/<env>.json`), never from the stack's name.
 */
import type {
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

import { readConfig } from "./checks/config";
import {
  annotationsOf,
  k8sTypes,
  namespaceOf,
  podMetadataOf,
  replicatedWorkloadTypes,
  selectorMatches,
  trackOf,
} from "./checks/kubernetes";
import { releaseProvenanceProblems, type ReleaseRule } from "./checks/releases";
import { isRecord, record, stringMap } from "./checks/values";
import { replicaProblems } from "./checks/workloads";
import { reportEach, validateResourceOfTypes } from "./validation";

const releaseSchema: PolicyConfigSchema = {
  properties: {
    requireRelease: {
      type: "boolean",
      default: false,
      description: "Stable-track Deployments must carry a release id and an allowed deployer.",
    },
    allowedDeployers: {
      type: "array",
      items: { type: "string", minLength: 1 },
      uniqueItems: true,
      default: [],
      description: "Identities with permission to deploy to this environment (the deployed-by annotation).",
    },
  },
};

export const stableImageThroughRelease: ResourceValidationPolicy = {
  name: "stable-image-through-release",
  description:
    "Checks that stable-track Deployments change only through a release by a deployer allowed in this environment.",
  enforcementLevel: "mandatory",
  configSchema: releaseSchema,
  validateResource: validateResourceOfTypes([k8sTypes.deployment], (props, args, reportViolation) => {
    const rule = readConfig<ReleaseRule>("stable-image-through-release", releaseSchema, args.getConfig());
    if (!rule.requireRelease) {
      return args.notApplicable("Releases are not required in this environment");
    }
    if (trackOf(args.type, props) !== "stable") {
      return;
    }
    reportEach(reportViolation, releaseProvenanceProblems(annotationsOf(props), rule));
  }),
};

export interface AvailabilityConfig {
  readonly minReplicas: number;
  readonly exemptTracks: readonly string[];
}

const exemptTracksProperty: PolicyConfigJSONSchema = {
  type: "array",
  items: { type: "string", minLength: 1 },
  uniqueItems: true,
  default: ["canary", "baseline"],
  description: "Values of rollgate.dev/track exempt from the rule (a canary, and the baseline beside it, may run one replica).",
};

const minReplicasSchema: PolicyConfigSchema = {
  properties: {
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Fewest replicas a Deployment or StatefulSet may run." },
    exemptTracks: exemptTracksProperty,
  },
};

export const workloadMinReplicas: ResourceValidationPolicy = {
  name: "workload-min-replicas",
  description: "Checks that Deployments and StatefulSets run enough replicas to survive losing one.",
  enforcementLevel: "advisory",
  configSchema: minReplicasSchema,
  validateResource: validateResourceOfTypes(replicatedWorkloadTypes, (props, args, reportViolation) => {
    const { minReplicas, exemptTracks } = readConfig<AvailabilityConfig>(
      "workload-min-replicas",
      minReplicasSchema,
      args.getConfig(),
    );
    const track = trackOf(args.type, props);
    if (track !== undefined && exemptTracks.includes(track)) {
      return;
    }
    reportEach(reportViolation, replicaProblems(props, minReplicas));
  }),
};

export interface DisruptionBudgetConfig {
  readonly exemptTracks: readonly string[];
}

const disruptionBudgetSchema: PolicyConfigSchema = {
  properties: { exemptTracks: exemptTracksProperty },
};

export const workloadDisruptionBudget: StackValidationPolicy = {
  name: "workload-disruption-budget",
  description: "Checks that every Deployment and StatefulSet is covered by a PodDisruptionBudget in its namespace.",
  enforcementLevel: "advisory",
  configSchema: disruptionBudgetSchema,
  validateStack: (args, reportViolation: ReportViolation) => {
    const { exemptTracks } = readConfig<DisruptionBudgetConfig>(
      "workload-disruption-budget",
      disruptionBudgetSchema,
      args.getConfig(),
    );
    const budgets = args.resources.filter((resource) => resource.type === k8sTypes.podDisruptionBudget);
    for (const workload of args.resources.filter((resource) => replicatedWorkloadTypes.includes(resource.type))) {
      const track = trackOf(workload.type, workload.props);
      if (track !== undefined && exemptTracks.includes(track)) {
        continue;
      }
      const namespace = namespaceOf(workload.props);
      const podLabels = stringMap(podMetadataOf(workload.type, workload.props).labels);
      // A PodDisruptionBudget without a selector selects no pods (policy/v1).
      const covered = budgets.some((budget) => {
        const selector = record(budget.props.spec).selector;
        return namespaceOf(budget.props) === namespace && isRecord(selector) && selectorMatches(selector, podLabels);
      });
      if (!covered) {
        reportViolation(
          `${workload.type.split(":").pop()} "${workload.name}" must be covered by a PodDisruptionBudget ` +
            `in namespace "${namespace}" whose selector matches its pod labels`,
          workload.urn,
        );
      }
    }
  },
};
