/**
 * The names of the program's stack config keys: the one definition that the
 * program, the service (previews, releases, audit, cluster probe) and the
 * policies read. No imports, so the service can use it without loading the
 * Pulumi SDK.
 */
export const configNamespace = "rollgate";

/** Every key the program reads, without the `rollgate:` prefix. */
export const configKeys = [
  "environment",
  "app",
  "namespace",
  "renderDir",
  "stableImage",
  "canaryImage",
  "canaryWeight",
  "replicas",
  "canaryReplicas",
  "port",
  "healthPath",
  "hostnames",
  "domain",
  "router",
  "gatewayName",
  "gatewayNamespace",
  "gatewaySectionName",
  "istioGateways",
  "nginxIngressClass",
  "cloudflareAccountId",
  "cloudflareZoneId",
  "cloudflareApiToken",
  "cloudflareStableOrigin",
  "cloudflareCanaryOrigin",
  "awsListenerArn",
  "awsVpcId",
  "awsRulePriority",
  "awsRegion",
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
] as const;
export type ConfigKey = (typeof configKeys)[number];

/** Each key as it stands in stack config: `stackConfigKeys.canaryWeight` is `"rollgate:canaryWeight"`. */
export const stackConfigKeys = Object.fromEntries(configKeys.map((key) => [key, `${configNamespace}:${key}`])) as {
  readonly [K in ConfigKey]: `rollgate:${K}`;
};
