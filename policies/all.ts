/** Every Rollgate policy, in the order the pack reports them. Tests import this; only index.ts serves it. */
import type { Policies } from "@pulumi/policy";

import { cloudResourcesTagged } from "./cloud";
import { stableImageThroughRelease, workloadDisruptionBudget, workloadMinReplicas } from "./environments";
import { previewNamespaceIsolation, previewNamespaceLabels, previewNoPublicLoadBalancers } from "./previews";
import { workloadImageVerified } from "./supplyChain";
import { trafficWeightsValid } from "./traffic";
import {
  workloadImagePinned,
  workloadNoHostNetwork,
  workloadNoPrivileged,
  workloadProbesRequired,
  workloadRecommendedLabels,
  workloadResourcesRequired,
  workloadRunAsNonRoot,
} from "./workloads";

export const rollgatePolicies: Policies = [
  workloadResourcesRequired,
  workloadProbesRequired,
  workloadImagePinned,
  workloadRunAsNonRoot,
  workloadNoPrivileged,
  workloadNoHostNetwork,
  workloadRecommendedLabels,
  previewNamespaceLabels,
  previewNamespaceIsolation,
  previewNoPublicLoadBalancers,
  trafficWeightsValid,
  stableImageThroughRelease,
  workloadImageVerified,
  workloadMinReplicas,
  workloadDisruptionBudget,
  cloudResourcesTagged,
];
