/**
 * The names of the program's stack config keys: the one definition that the
 * program, the service (previews, releases, audit, cluster probe) and the
 * policies read. Each router's keys come from its definition, which loads
 * only zod, so the service can use this without loading the Pulumi SDK.
 */
import { routerConfigKeys, type RouterConfigKey } from "../components/trafficSplit/routers/registry";

export const configNamespace = "rollgate";

/** The keys that are not a router's, without the `rollgate:` prefix. */
const programKeys = [
  "environment",
  "app",
  "namespace",
  "renderDir",
  "stableImage",
  "canaryImage",
  "canaryWeight",
  "canaryMirrorPercent",
  "canaryHeaderName",
  "canaryHeaderValue",
  "canaryBaseline",
  "replicas",
  "canaryReplicas",
  "port",
  "healthPath",
  "hostnames",
  "domain",
  "router",
  "prometheusOperator",
  "image",
  "pr",
  "branch",
  "commitSha",
  "createdAt",
  "ttlHours",
  "previewDomain",
  "previewDnsTarget",
  "deployedBy",
  "releaseId",
  "stableVerifiedDigest",
  "canaryVerifiedDigest",
  "program",
] as const;

/**
 * What `rollgate:program` selects `infra/index.ts` to build: the application's
 * environments (`app`, the default) or Rollgate itself (`service`, see
 * `infra/service/`).
 */
export const programs = ["app", "service"] as const;
export type ProgramKind = (typeof programs)[number];

export type ConfigKey = (typeof programKeys)[number] | RouterConfigKey;

/** Every key the program reads, without the `rollgate:` prefix. */
export const configKeys: readonly ConfigKey[] = [...programKeys, ...routerConfigKeys];

/** Each key as it stands in stack config: `stackConfigKeys.canaryWeight` is `"rollgate:canaryWeight"`. */
export const stackConfigKeys = Object.fromEntries(configKeys.map((key) => [key, `${configNamespace}:${key}`])) as {
  readonly [K in ConfigKey]: `rollgate:${K}`;
};
