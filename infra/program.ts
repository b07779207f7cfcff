/**
 * The one Rollgate program. `infra/index.ts` exports it for `pulumi up`, and
 * the Automation API service runs it as an inline program, so both deploy the
 * same thing. Its return value becomes the stack outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease } from "../components/canaryRelease";
import { managedBy, recommendedLabels, rollgateLabels } from "../components/labels";
import { PreviewEnvironment } from "../components/previewEnvironment/previewEnvironment";
import { parseConfig, PreviewConfig, readRawConfig, ReleaseConfig } from "./config";

/** Stack outputs of a staging or production stack. */
export interface ReleaseOutputs {
  readonly environment: ReleaseConfig["environment"];
  readonly app: string;
  readonly router: string;
  readonly url: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly stableImage: pulumi.Output<string>;
  /** `null` without a canary. */
  readonly canaryImage: pulumi.Output<string | null>;
  readonly canaryWeight: pulumi.Output<number>;
  readonly stableWeight: pulumi.Output<number>;
  readonly stableDeploymentName: pulumi.Output<string>;
  /** `null` without a canary. */
  readonly canaryDeploymentName: pulumi.Output<string | null>;
}

/** Stack outputs of a preview stack. */
export interface PreviewOutputs {
  readonly environment: "preview";
  readonly app: string;
  readonly router: string;
  readonly url: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly image: pulumi.Output<string>;
  readonly stableImage: pulumi.Output<string>;
  readonly canaryImage: null;
  readonly canaryWeight: 0;
  readonly stableWeight: 100;
  /** Name of the preview's Deployment, to wait for readiness. */
  readonly deploymentName: pulumi.Output<string>;
  readonly pr: number;
  /** `null` (absent from the stack outputs) when the config has none. */
  readonly branch: string | null;
  readonly commitSha: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** Parses the stack config (failing before any resource on bad config) and deploys the stack's environment. */
export async function program(): Promise<Record<string, unknown>> {
  const config = parseConfig(readRawConfig());
  const provider = renderProvider(config.app, config.renderDir);
  const outputs = config.environment === "preview" ? deployPreview(config, provider) : deployRelease(config, provider);
  return { ...outputs };
}

/**
 * In render mode, an explicit Kubernetes provider that writes YAML to
 * `renderDir` instead of talking to a cluster; otherwise none (the ambient
 * kubeconfig).
 */
function renderProvider(app: string, renderDir: string | undefined): k8s.Provider | undefined {
  return renderDir === undefined ? undefined : new k8s.Provider(`${app}-render`, { renderYamlToDirectory: renderDir });
}

/** A staging or production stack: the app's namespace and its canary release. */
export function deployRelease(config: ReleaseConfig, provider?: k8s.Provider): ReleaseOutputs {
  const environmentLabel = { [rollgateLabels.environment]: config.environment };
  const namespace = new k8s.core.v1.Namespace(
    `${config.app}-namespace`,
    {
      metadata: {
        name: config.namespace,
        labels: {
          ...environmentLabel,
          [recommendedLabels.partOf]: config.app,
          [recommendedLabels.managedBy]: managedBy,
        },
      },
    },
    provider ? { provider } : {},
  );

  const release = new CanaryRelease(
    config.app,
    {
      app: config.app,
      namespace: namespace.metadata.name,
      stableImage: config.stableImage,
      ...(config.canaryImage !== undefined ? { canaryImage: config.canaryImage } : {}),
      canaryWeight: config.canaryWeight,
      replicas: config.replicas,
      ...(config.canaryReplicas !== undefined ? { canaryReplicas: config.canaryReplicas } : {}),
      port: config.port,
      healthPath: config.healthPath,
      hostnames: config.hostnames,
      router: config.router,
      ...(config.canaryHeader !== undefined ? { headerRoute: config.canaryHeader } : {}),
      ...(config.canaryMirrorPercent !== undefined ? { mirrorPercent: config.canaryMirrorPercent } : {}),
      baseline: config.canaryBaseline,
      labels: environmentLabel,
      release: config.release,
      verifiedDigests: config.verifiedDigests,
      monitoring: { prometheusOperator: config.prometheusOperator },
    },
    provider ? { providers: [provider] } : {},
  );

  return {
    environment: config.environment,
    app: config.app,
    router: config.router.kind,
    url: release.url,
    namespace: release.namespace,
    stableImage: release.stableImage,
    canaryImage: release.canaryImage.apply((image) => image ?? null),
    canaryWeight: release.canaryWeight,
    stableWeight: release.stableWeight,
    stableDeploymentName: release.stable.deploymentName,
    canaryDeploymentName: release.canary ? release.canary.deploymentName : pulumi.output(null),
  };
}

/** A preview stack: one pull request's environment. */
export function deployPreview(config: PreviewConfig, provider?: k8s.Provider): PreviewOutputs {
  const preview = new PreviewEnvironment(
    config.app,
    {
      app: config.app,
      pr: config.pr,
      ...(config.branch !== undefined ? { branch: config.branch } : {}),
      ...(config.commitSha !== undefined ? { commitSha: config.commitSha } : {}),
      image: config.image,
      previewDomain: config.previewDomain,
      createdAt: config.createdAt,
      ttlHours: config.ttlHours,
      replicas: config.replicas,
      port: config.port,
      healthPath: config.healthPath,
      router: config.router,
      release: config.release,
      ...(config.dns !== undefined ? { dns: config.dns } : {}),
    },
    provider ? { providers: [provider] } : {},
  );

  return {
    environment: "preview",
    app: config.app,
    router: config.router.kind,
    url: preview.url,
    namespace: preview.namespace,
    image: preview.image,
    stableImage: preview.image,
    canaryImage: null,
    canaryWeight: 0,
    stableWeight: 100,
    deploymentName: preview.deploymentName,
    pr: config.pr,
    branch: config.branch ?? null,
    commitSha: config.commitSha ?? null,
    createdAt: config.createdAt,
    expiresAt: preview.expiresAt,
  };
}
