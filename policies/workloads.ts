/** Policies for the pods every workload runs. */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";

import { recommendedLabels } from "../components/labels";
import { readConfig } from "./checks/config";
import { k8sTypes, labelsOf, longRunningWorkloadTypes, workloadTypes } from "./checks/kubernetes";
import {
  hostNetworkProblems,
  imageProblems,
  missingLabels,
  privilegedProblems,
  probeProblems,
  resourceProblems,
  runAsRootProblems,
} from "./checks/workloads";
import { reportEach, validatePodSpecs, validateResourceOfTypes } from "./validation";

export const workloadResourcesRequired: ResourceValidationPolicy = {
  name: "workload-resources-required",
  description: "Checks that every container declares CPU and memory requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: validatePodSpecs(workloadTypes, resourceProblems),
};

export const workloadProbesRequired: ResourceValidationPolicy = {
  name: "workload-probes-required",
  description: "Checks that every container of a long-running workload has readiness and liveness probes.",
  enforcementLevel: "mandatory",
  // Jobs and CronJobs run to completion; probes do not apply to them.
  validateResource: validatePodSpecs(longRunningWorkloadTypes, probeProblems),
};

export interface ImagePinnedConfig {
  readonly requireDigest: boolean;
}

const imagePinnedSchema: PolicyConfigSchema = {
  properties: {
    requireDigest: {
      type: "boolean",
      default: false,
      description: "Require every image to be pinned by digest (@sha256:…), as production does.",
    },
  },
};

export const workloadImagePinned: ResourceValidationPolicy = {
  name: "workload-image-pinned",
  description: "Checks that container images are pinned: tagged but not :latest, and by digest where required.",
  enforcementLevel: "mandatory",
  configSchema: imagePinnedSchema,
  validateResource: validatePodSpecs(workloadTypes, (podSpec, args) =>
    imageProblems(podSpec, readConfig<ImagePinnedConfig>("workload-image-pinned", imagePinnedSchema, args.getConfig())),
  ),
};

export const workloadRunAsNonRoot: ResourceValidationPolicy = {
  name: "workload-run-as-non-root",
  description: "Checks that every container runs as a non-root user (runAsNonRoot, never runAsUser 0).",
  enforcementLevel: "mandatory",
  validateResource: validatePodSpecs(workloadTypes, runAsRootProblems),
};

export const workloadNoPrivileged: ResourceValidationPolicy = {
  name: "workload-no-privileged",
  description: "Checks that no container runs privileged.",
  enforcementLevel: "mandatory",
  validateResource: validatePodSpecs(workloadTypes, privilegedProblems),
};

export const workloadNoHostNetwork: ResourceValidationPolicy = {
  name: "workload-no-host-network",
  description: "Checks that no pod uses the host's network namespace.",
  enforcementLevel: "mandatory",
  validateResource: validatePodSpecs(workloadTypes, hostNetworkProblems),
};

export interface RecommendedLabelsConfig {
  readonly requiredLabels: readonly string[];
}

const recommendedLabelsSchema: PolicyConfigSchema = {
  properties: {
    requiredLabels: {
      type: "array",
      items: { type: "string", minLength: 1 },
      uniqueItems: true,
      default: [recommendedLabels.name, recommendedLabels.instance, recommendedLabels.managedBy],
      description: "Labels every workload and Service must carry.",
    },
  },
};

export const workloadRecommendedLabels: ResourceValidationPolicy = {
  name: "workload-recommended-labels",
  description: "Checks that workloads and Services carry the Kubernetes recommended labels (app.kubernetes.io/*).",
  enforcementLevel: "advisory",
  configSchema: recommendedLabelsSchema,
  validateResource: validateResourceOfTypes([...workloadTypes, k8sTypes.service], (props, args, reportViolation) => {
    const { requiredLabels } = readConfig<RecommendedLabelsConfig>(
      "workload-recommended-labels",
      recommendedLabelsSchema,
      args.getConfig(),
    );
    const missing = missingLabels(labelsOf(props), requiredLabels);
    reportEach(reportViolation, missing.length === 0 ? [] : [`metadata.labels must include ${missing.join(", ")}`]);
  }),
};
