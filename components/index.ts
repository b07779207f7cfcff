/**
 * Rollgate's reusable Pulumi components and the pure helpers behind them.
 * Other Pulumi programs: `import { CanaryRelease, PreviewEnvironment } from "<rollgate>/components"`.
 */
export * from "./labels";
export { ArgumentError } from "./validation";
export { imageReferenceProblem, imageVersion, isImageReference, isPinnedByDigest, parseImageReference, readImageReference } from "./image";
export type { ImageReference, ImageReferenceReading } from "./image";

export { WebService, webServiceDefaults } from "./webService";
export type { WebServiceArgs, ContainerResources, ResourceQuantities } from "./webService";

export { TrafficSplit, defaultRouter, capabilityProblems, requestedCapabilities } from "./trafficSplit/trafficSplit";
export type { TrafficSplitArgs } from "./trafficSplit/trafficSplit";
export { capabilities } from "./trafficSplit/capabilities";
export type { Capability, RouterCapabilities } from "./trafficSplit/capabilities";
export type { TrafficRouter, RouteRequest, RouteResult, Backend, HeaderRoute, CloudWatchTargets } from "./trafficSplit/router";
export { routerKinds, createRouter, isRouterKind } from "./trafficSplit/routers/registry";
export type { RouterKind, RouterSpec, RouterSettings } from "./trafficSplit/routers/registry";
export { routerDefinitions } from "./trafficSplit/routers/registry";
export type { RouterDefinition, RouterModule, LiveWeightReader, KubernetesWeightReader, ApiWeightReader, ApiReadContext, DeclaredWeightReader, KubeObjectRef } from "./trafficSplit/routers/definition";
export { LiveWeightReadError } from "./trafficSplit/routers/definition";
export { gatewayApiDefaults } from "./trafficSplit/routers/gateway-api/render";
export type { GatewayApiSettings } from "./trafficSplit/routers/gateway-api/render";
export type { IstioSettings } from "./trafficSplit/routers/istio/render";
export { nginxAnnotations } from "./trafficSplit/routers/nginx/definition";
export type { NginxSettings } from "./trafficSplit/routers/nginx/render";
export { loadBalancerHostname } from "./trafficSplit/routers/cloudflare/names";
export type { CloudflareSettings } from "./trafficSplit/routers/cloudflare/render";
export { loadBalancerArnSuffix } from "./trafficSplit/routers/aws/render";
export type { AwsSettings } from "./trafficSplit/routers/aws/render";
export { splitWeights, weightProblem, WeightError, minWeight, maxWeight } from "./trafficSplit/weights";
export type { Weights } from "./trafficSplit/weights";

export { Monitoring, grafanaDashboardLabel } from "./monitoring/monitoring";
export type { MonitoringArgs } from "./monitoring/monitoring";
export { buildDashboard, renderDashboard, dashboardUid } from "./monitoring/dashboard";
export type { Dashboard, DashboardOptions } from "./monitoring/dashboard";
export { buildAlertRules, alertNames } from "./monitoring/alerts";
export type { AlertOptions, RuleGroup } from "./monitoring/alerts";
export { metrics } from "./monitoring/metrics";

export { CanaryRelease } from "./canaryRelease";
export type { CanaryReleaseArgs, ReleaseMonitoring } from "./canaryRelease";
export { releaseAnnotationValues } from "./releaseMetadata";
export type { ReleaseMetadata } from "./releaseMetadata";

export { PreviewEnvironment, dnsRecordType } from "./previewEnvironment/previewEnvironment";
export type { PreviewEnvironmentArgs, PreviewDns, PreviewQuota } from "./previewEnvironment/previewEnvironment";
export {
  previewNamespaceName,
  previewHostname,
  previewStackName,
  slugify,
  isDnsLabel,
  prProblem,
} from "./previewEnvironment/naming";
export { expiresAt, isExpired, createdAtProblem, ttlProblem } from "./previewEnvironment/expiry";

export { RollgateService, rollgateServiceDefaults, clusterScopedRules, namespacedRules } from "./rollgateService";
export type { RollgateServiceArgs, RollgateSecrets, RbacRule } from "./rollgateService";
