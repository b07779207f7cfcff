/** Label and annotation keys shared by components, policies and the service. */

/** Kubernetes recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
export const recommendedLabels = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  version: "app.kubernetes.io/version",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** Rollgate's own labels. */
export const rollgateLabels = {
  /** `stable`, `canary` or `preview`. */
  track: "rollgate.dev/track",
  /** Environment kind: `preview`, `staging` or `production`. */
  environment: "rollgate.dev/environment",
  /** Pull request number of a preview environment. */
  pr: "rollgate.dev/pr",
} as const;

/** Rollgate's annotations (values that are not valid label values). */
export const rollgateAnnotations = {
  branch: "rollgate.dev/branch",
  commitSha: "rollgate.dev/commit-sha",
  createdAt: "rollgate.dev/created-at",
  /** ISO-8601 instant after which the preview may be destroyed. */
  expiresAt: "rollgate.dev/expires-at",
  ttlHours: "rollgate.dev/ttl-hours",
} as const;

export const managedBy = "rollgate";

/** The versions of an app that run side by side; `rollgate.dev/track` names one. */
export const tracks = ["stable", "canary", "baseline", "preview"] as const;
export type Track = (typeof tracks)[number];

/** Release metadata stamped on workloads of staging and production stacks. */
export const releaseAnnotations = {
  /** Id of the release that set this image; absent when deployed outside a release. */
  releaseId: "rollgate.dev/release-id",
  /** Identity (token name, CI actor) recorded as the deployer in stack config. */
  deployedBy: "rollgate.dev/deployed-by",
  /** Digest (`sha256:…`) the supply-chain gate verified for this track's image; absent when unverified. */
  verifiedDigest: "rollgate.dev/verified-digest",
} as const;
