import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imageVersion, isImageReference } from "./image";
import { managedBy, recommendedLabels, rollgateLabels, Track, tracks } from "./labels";
import { checks, defined, ensure, isDns1035Label, Problems } from "./validation";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./restrictedSecurity";

/** The Kubernetes provider's readiness condition for the Service (see its use below). */
const SERVICE_READY = { annotation: "pulumi.com/waitFor", condition: "jsonpath={.spec.clusterIP}" } as const;

/** CPU and memory quantities, e.g. `{ cpu: "100m", memory: "128Mi" }`. */
export interface ResourceQuantities {
  readonly cpu?: pulumi.Input<string>;
  readonly memory?: pulumi.Input<string>;
}

export interface ContainerResources {
  readonly requests?: ResourceQuantities;
  readonly limits?: ResourceQuantities;
}

/** Arguments of a {@link WebService}: one version (track) of one application. */
export interface WebServiceArgs {
  /**
   * Application name: the `app.kubernetes.io/name` label and the prefix of the
   * Deployment and Service names (`<app>-<track>`). A DNS label starting with a
   * letter, at most 55 characters.
   */
  readonly app: string;
  /** The track this version serves; part of the pod selector, so tracks never share pods. */
  readonly track: Track;
  /** Namespace of the Deployment and Service. */
  readonly namespace: pulumi.Input<string>;
  /** Container image, pinned to a tag or digest. */
  readonly image: pulumi.Input<string>;
  /** Pod replicas. Default 1. */
  readonly replicas?: pulumi.Input<number>;
  /** Container (and Service) port. Default 8080. */
  readonly port?: pulumi.Input<number>;
  /** HTTP path of the readiness, liveness and startup probes. Default `/healthz`. */
  readonly healthPath?: pulumi.Input<string>;
  /** Extra environment variables. `PORT` and `ROLLGATE_TRACK` are always set. */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Requests and limits; each quantity left out takes its default. */
  readonly resources?: ContainerResources;
  /** Extra labels on every object (not part of the selector), e.g. environment or PR number. */
  readonly labels?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Annotations on the Deployment and its pod template (see `releaseAnnotations`). */
  readonly annotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Annotations on the Deployment only: recording them never restarts pods. */
  readonly deploymentAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** `app.kubernetes.io/part-of`. Default: `app`. */
  readonly partOf?: pulumi.Input<string>;
}

/** Defaults; the caller's args are spread over these. */
export const webServiceDefaults = {
  replicas: 1,
  port: 8080,
  healthPath: "/healthz",
  resources: {
    requests: { cpu: "50m", memory: "64Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
  },
} as const;

/** UID and GID the container runs as: any non-root id works; 10001 avoids clashing with host users. */
export const runAsUser = 10001;

/** Longest `app` for which `<app>-preview` is still a valid Service name. */
const maxAppLength = 63 - "-preview".length;

/**
 * One version of an HTTP application: a Deployment and a ClusterIP Service
 * named `<app>-<track>`, hardened (non-root, read-only root filesystem, no
 * capabilities), with readiness, liveness and startup probes so the engine
 * waits until the pods are ready, and a PodDisruptionBudget.
 */
export class WebService extends pulumi.ComponentResource {
  /** Name of the Service (and Deployment): `<app>-<track>`. */
  readonly serviceName: pulumi.Output<string>;
  readonly deploymentName: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly image: pulumi.Output<string>;
  readonly track: Track;
  /** Labels selecting this version's pods. */
  readonly selector: Readonly<Record<string, string>>;

  constructor(name: string, args: WebServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateWebServiceArgs(name, args);
    super("rollgate:app:WebService", name, {}, opts);

    const settings = { ...webServiceDefaults, ...defined(args) };
    const objectName = `${args.app}-${args.track}`;
    const image = ensure("image", args.image, imageProblem, this);
    const port = ensure("port", settings.port, checks.integerBetween(1, 65535), this);
    const replicas = ensure("replicas", settings.replicas, checks.integerBetween(0, 1000), this);
    const healthPath = ensure("healthPath", settings.healthPath, checks.httpPath, this);

    this.track = args.track;
    this.selector = {
      [recommendedLabels.name]: args.app,
      [rollgateLabels.track]: args.track,
    };
    const labels = {
      ...args.labels,
      ...this.selector,
      [recommendedLabels.instance]: objectName,
      [recommendedLabels.version]: image.apply(imageVersion),
      [recommendedLabels.component]: "web",
      [recommendedLabels.partOf]: settings.partOf ?? args.app,
      [recommendedLabels.managedBy]: managedBy,
    };
    const metadata = { name: objectName, namespace: args.namespace, labels };
    const probe = (periodSeconds: number, failureThreshold: number) => ({
      httpGet: { path: healthPath, port: "http" },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 2,
    });

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { ...metadata, annotations: { ...args.deploymentAnnotations, ...args.annotations } },
        spec: {
          replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: this.selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
          template: {
            metadata: { labels, annotations: { ...args.annotations } },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurity(runAsUser),
              containers: [
                {
                  name: "app",
                  image,
                  ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
                  env: containerEnv(port, args.track, args.env),
                  readinessProbe: probe(5, 3),
                  livenessProbe: probe(10, 3),
                  startupProbe: probe(2, 30),
                  resources: {
                    requests: { ...webServiceDefaults.resources.requests, ...defined(args.resources?.requests ?? {}) },
                    limits: { ...webServiceDefaults.resources.limits, ...defined(args.resources?.limits ?? {}) },
                  },
                  securityContext: restrictedContainerSecurity(runAsUser),
                  // A read-only root filesystem still needs somewhere to write temporary files.
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: {} }],
            },
          },
        },
      },
      // A replacement (the namespace moved) is created and ready before the old one is deleted, so production keeps
      // serving. The selector derives from `app` and `track`, which are in the name too: a replacement is never a
      // second object of the same name (and if one ever were, the create would fail, leaving the old one serving).
      { parent: this },
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        // The provider's own Service await ends 10 s after the last change to the Service's endpoints (its "settle"
        // time): most of a preview create (13.5 s, the Deployment Available at 2.5 s). Whether traffic reaches ready
        // pods is what the Deployment's await, the smoke checks and the release's checks establish; the Service
        // itself is ready once it has its cluster IP (`pulumi.com/waitFor` replaces the built-in await).
        metadata: { ...metadata, annotations: { [SERVICE_READY.annotation]: SERVICE_READY.condition } },
        spec: {
          type: "ClusterIP",
          selector: this.selector,
          ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
        },
      },
      { parent: this },
    );

    // Voluntary disruptions (node drains) take at most one pod of this version at a time.
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: this.selector } } },
      { parent: this },
    );

    this.serviceName = service.metadata.name;
    this.deploymentName = deployment.metadata.name;
    this.namespace = service.metadata.namespace;
    this.port = port;
    this.image = image;
    this.registerOutputs({
      serviceName: this.serviceName,
      deploymentName: this.deploymentName,
      namespace: this.namespace,
      port: this.port,
      image: this.image,
    });
  }
}

function imageProblem(image: string): string | undefined {
  return isImageReference(image) ? undefined : `must be a container image reference (got "${image}")`;
}

/** Checks every argument whose value is already known; throws listing all problems. */
export function validateWebServiceArgs(name: string, args: WebServiceArgs): void {
  new Problems()
    .when(
      "app",
      isDns1035Label(args.app) && args.app.length <= maxAppLength
        ? undefined
        : `must be a DNS label starting with a letter, at most ${maxAppLength} characters (got "${args.app}")`,
    )
    .when(
      "track",
      (tracks as readonly string[]).includes(args.track) ? undefined : `must be one of ${tracks.join(", ")}`,
    )
    .known("image", args.image, imageProblem)
    .known("replicas", args.replicas, checks.integerBetween(0, 1000))
    .known("port", args.port, checks.integerBetween(1, 65535))
    .known("healthPath", args.healthPath, checks.httpPath)
    .when("env", envProblem(Object.keys(args.env ?? {})))
    .throwIfAny(`WebService "${name}"`);
}

const reservedEnv = ["PORT", "ROLLGATE_TRACK"];

function envProblem(names: readonly string[]): string | undefined {
  const invalid = names.filter((key) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
  if (invalid.length > 0) {
    return `must only have names made of letters, digits and '_', not starting with a digit (got ${invalid.join(", ")})`;
  }
  const reserved = names.filter((key) => reservedEnv.includes(key));
  return reserved.length > 0 ? `must not set ${reserved.join(", ")}: WebService sets them` : undefined;
}

function containerEnv(
  port: pulumi.Input<number>,
  track: Track,
  env: Readonly<Record<string, pulumi.Input<string>>> = {},
): k8s.types.input.core.v1.EnvVar[] {
  const extra = Object.keys(env)
    .sort()
    .map((key) => ({ name: key, value: env[key] }));
  return [
    { name: "PORT", value: pulumi.output(port).apply(String) },
    { name: "ROLLGATE_TRACK", value: track },
    ...extra,
  ];
}
