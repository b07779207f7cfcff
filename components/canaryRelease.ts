import * as pulumi from "@pulumi/pulumi";
import { canaryReplicasFor } from "./canaryReplicas";
import { Monitoring, MonitoringArgs, validateMonitoringArgs } from "./monitoring/monitoring";
import { ReleaseMetadata, releaseAnnotationValues, verifiedDigestAnnotation } from "./releaseMetadata";
import { Backend, HeaderRoute } from "./trafficSplit/router";
import { RouterSpec } from "./trafficSplit/routers/registry";
import { TrafficSplit, TrafficSplitArgs, validateTrafficSplitArgs } from "./trafficSplit/trafficSplit";
import { defined, knownValue, Problems } from "./validation";
import { ContainerResources, validateWebServiceArgs, WebService, WebServiceArgs } from "./webService";

/** Monitoring settings of a release (see `MonitoringArgs`). */
export interface ReleaseMonitoring {
  readonly prometheusOperator?: boolean;
  readonly operatorLabels?: Readonly<Record<string, string>>;
  readonly dashboardNamespace?: pulumi.Input<string>;
  readonly errorRatioMargin?: number;
  readonly p99LatencySeconds?: number;
}

/** Arguments of a {@link CanaryRelease}. */
export interface CanaryReleaseArgs {
  /** Application name (a DNS label starting with a letter). */
  readonly app: string;
  readonly namespace: pulumi.Input<string>;
  /** Image of the stable track. */
  readonly stableImage: pulumi.Input<string>;
  /**
   * Image of the canary. Its presence decides whether the canary Deployment,
   * Service and route backend exist; leave it out when no release is running.
   */
  readonly canaryImage?: pulumi.Input<string>;
  /**
   * Deploy a baseline beside the canary: stable's image with the canary's replica count, taking as much traffic as
   * the canary out of stable's share, so the canary can be compared against it (needs a router with `baseline`).
   * Ignored without a canary.
   */
  readonly baseline?: boolean;
  /** Percentage (integer 0–100) of traffic for the canary. Default 0. */
  readonly canaryWeight?: pulumi.Input<number>;
  /** Stable replicas. Default 2. */
  readonly replicas?: pulumi.Input<number>;
  /**
   * Pins the canary's replicas. By default they follow the weight:
   * ceil(replicas × canaryWeight / 100), at least 1 (see `canaryReplicasFor`).
   */
  readonly canaryReplicas?: pulumi.Input<number>;
  /** Container port. Default 8080. */
  readonly port?: pulumi.Input<number>;
  /** Probe path. Default `/healthz`. */
  readonly healthPath?: pulumi.Input<string>;
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly resources?: ContainerResources;
  /** Public host names of the app. */
  readonly hostnames: readonly pulumi.Input<string>[];
  /** Traffic router. Default Gateway API. */
  readonly router?: RouterSpec;
  /** Requests with this header go to the canary whatever the weight (see `TrafficSplitArgs`). */
  readonly headerRoute?: HeaderRoute;
  /** Percent (1–100) of the traffic copied to the canary (see `TrafficSplitArgs`). */
  readonly mirrorPercent?: number;
  /** Extra labels on workloads, e.g. the environment. */
  readonly labels?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Release id and deployer. */
  readonly release?: ReleaseMetadata;
  /** The digests the supply-chain gate verified for each track's image, stamped as `rollgate.dev/verified-digest`. */
  readonly verifiedDigests?: { readonly stable?: pulumi.Input<string>; readonly canary?: pulumi.Input<string> };
  readonly monitoring?: ReleaseMonitoring;
}

export const canaryReleaseDefaults = { canaryWeight: 0, replicas: 2 } as const;

/**
 * A canary release of one application: a stable {@link WebService}, a canary
 * one while `canaryImage` is set, a {@link TrafficSplit} sending
 * `canaryWeight` percent to the canary, and {@link Monitoring}.
 *
 * The route waits for both Deployments to be ready, so traffic never reaches
 * a canary without ready pods; changing only the weight changes only the
 * router's resources.
 *
 * Release annotations go on the canary's Deployment and pods, and on the
 * stable Deployment only: annotating stable pods would restart them whenever
 * a new release starts.
 */
export class CanaryRelease extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly stableImage: pulumi.Output<string>;
  /** The canary's image, `undefined` without a canary. */
  readonly canaryImage: pulumi.Output<string | undefined>;
  readonly stableWeight: pulumi.Output<number>;
  readonly canaryWeight: pulumi.Output<number>;
  readonly stableServiceName: pulumi.Output<string>;
  readonly canaryServiceName: pulumi.Output<string | undefined>;
  readonly stable: WebService;
  readonly canary?: WebService;
  /** Stable's image at the canary's size, while the canary runs with `baseline`. */
  readonly baseline?: WebService;
  readonly traffic: TrafficSplit;
  readonly monitoring: Monitoring;

  constructor(name: string, args: CanaryReleaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planCanaryRelease(name, args);
    super("rollgate:release:CanaryRelease", name, {}, opts);

    this.stable = new WebService(`${name}-stable`, plan.stable, { parent: this });
    if (plan.canary) {
      this.canary = new WebService(`${name}-canary`, plan.canary, { parent: this });
    }
    if (plan.baseline) {
      this.baseline = new WebService(`${name}-baseline`, plan.baseline, { parent: this });
    }

    const backend = (service: WebService) => ({ serviceName: service.serviceName, port: service.port });
    const workloads = [this.stable, ...(this.canary ? [this.canary] : []), ...(this.baseline ? [this.baseline] : [])];
    this.traffic = new TrafficSplit(
      `${name}-traffic`,
      plan.traffic(backend(this.stable), this.canary ? backend(this.canary) : undefined, this.baseline ? backend(this.baseline) : undefined),
      // Route only once every Deployment is ready: no traffic to pods that cannot serve it.
      { parent: this, dependsOn: workloads },
    );

    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      { ...plan.monitoring, ...(this.traffic.cloudWatch ? { cloudWatch: this.traffic.cloudWatch } : {}) },
      { parent: this },
    );

    this.url = this.traffic.url;
    this.namespace = this.stable.namespace;
    this.stableImage = this.stable.image;
    this.canaryImage = this.canary ? this.canary.image : pulumi.output<string | undefined>(undefined);
    this.stableWeight = this.traffic.stableWeight;
    this.canaryWeight = this.traffic.canaryWeight;
    this.stableServiceName = this.stable.serviceName;
    this.canaryServiceName = this.canary ? this.canary.serviceName : pulumi.output<string | undefined>(undefined);
    this.registerOutputs({
      url: this.url,
      namespace: this.namespace,
      stableImage: this.stableImage,
      canaryImage: this.canaryImage,
      stableWeight: this.stableWeight,
      canaryWeight: this.canaryWeight,
    });
  }
}

/** The children's arguments, checked before anything is created. */
interface CanaryReleasePlan {
  readonly stable: WebServiceArgs;
  readonly canary?: WebServiceArgs;
  readonly baseline?: WebServiceArgs;
  readonly traffic: (stable: Backend, canary: Backend | undefined, baseline?: Backend) => TrafficSplitArgs;
  readonly monitoring: MonitoringArgs;
}

/**
 * Builds the children's arguments and checks them all, plus what no child
 * can check alone (traffic for a canary scaled to zero); throws listing every
 * problem.
 */
export function planCanaryRelease(name: string, args: CanaryReleaseArgs): CanaryReleasePlan {
  const settings = { ...canaryReleaseDefaults, ...defined(args) };
  const annotations = releaseAnnotationValues(args.release);
  const workload = {
    app: args.app,
    namespace: args.namespace,
    ...(args.port !== undefined ? { port: args.port } : {}),
    ...(args.healthPath !== undefined ? { healthPath: args.healthPath } : {}),
    ...(args.env !== undefined ? { env: args.env } : {}),
    ...(args.resources !== undefined ? { resources: args.resources } : {}),
    ...(args.labels !== undefined ? { labels: args.labels } : {}),
  };
  const canaryReplicas =
    args.canaryReplicas ?? pulumi.all([settings.replicas, settings.canaryWeight]).apply(([stable, weight]) => canaryReplicasFor(stable, weight));
  const plan: CanaryReleasePlan = {
    stable: {
      ...workload,
      track: "stable",
      image: args.stableImage,
      replicas: settings.replicas,
      deploymentAnnotations: { ...annotations, ...verifiedDigestAnnotation(args.verifiedDigests?.stable) },
    },
    ...(args.canaryImage !== undefined
      ? {
          canary: {
            ...workload,
            track: "canary",
            image: args.canaryImage,
            replicas: canaryReplicas,
            annotations: { ...annotations, ...verifiedDigestAnnotation(args.verifiedDigests?.canary) },
          },
        }
      : {}),
    // Stable's image (and its verified digest) at the canary's size: the comparison isolates the change itself.
    ...(args.canaryImage !== undefined && args.baseline
      ? {
          baseline: {
            ...workload,
            track: "baseline",
            image: args.stableImage,
            replicas: canaryReplicas,
            annotations: { ...annotations, ...verifiedDigestAnnotation(args.verifiedDigests?.stable) },
          },
        }
      : {}),
    traffic: (stable, canary, baseline) => ({
      app: args.app,
      namespace: args.namespace,
      hostnames: args.hostnames,
      stable,
      ...(canary ? { canary } : {}),
      ...(baseline ? { baseline } : {}),
      canaryWeight: settings.canaryWeight,
      ...(args.router ? { router: args.router } : {}),
      ...(args.headerRoute ? { headerRoute: args.headerRoute } : {}),
      ...(args.mirrorPercent !== undefined ? { mirrorPercent: args.mirrorPercent } : {}),
    }),
    monitoring: { app: args.app, namespace: args.namespace, ...args.monitoring },
  };

  const weight = knownValue(args.canaryWeight);
  const pinnedCanaryReplicas = knownValue(args.canaryReplicas);
  // Checking the route needs backends; the Services' names are not known yet, their ports are.
  const backend = (track: string) => ({ serviceName: `${args.app}-${track}`, port: args.port ?? 8080 });
  const { canary, baseline } = plan;
  new Problems()
    .when(
      "canaryWeight",
      canary !== undefined && pinnedCanaryReplicas === 0 && weight !== undefined && weight > 0
        ? "must be 0 while `canaryReplicas` is 0: a canary without pods cannot take traffic"
        : undefined,
    )
    .child(() => validateWebServiceArgs(`${name}-stable`, plan.stable))
    .child(() => canary && validateWebServiceArgs(`${name}-canary`, canary))
    .child(() => baseline && validateWebServiceArgs(`${name}-baseline`, baseline))
    .child(() =>
      validateTrafficSplitArgs(
        `${name}-traffic`,
        plan.traffic(backend("stable"), canary ? backend("canary") : undefined, baseline ? backend("baseline") : undefined),
      ),
    )
    .child(() => validateMonitoringArgs(`${name}-monitoring`, plan.monitoring))
    .throwIfAny(`CanaryRelease "${name}"`);
  return plan;
}
