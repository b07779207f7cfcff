import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { runAsUser } from "../webService";
import { httpPort, type ServiceScope } from "./scope";
import { secretEntries, secretFilesDir, type CreatedSecret } from "./secrets";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../restrictedSecurity";

/**
 * Requests and limits, sized from the benchmark (README "Benchmarks", 2 shared
 * cores): the idle service holds 128.5 MB RSS (157.6 MB after a run), peaks at
 * 188 MB, and with its engine processes (CLI, policy pack, provider) at 1.3 GB
 * while `ROLLGATE_MAX_CONCURRENT_OPERATIONS=2` operations run; two operations
 * fill two cores. The limits leave room for that peak; the requests cover a
 * replica running one operation.
 */
export const serviceResources = {
  requests: { cpu: "500m", memory: "512Mi" },
  limits: { cpu: "2", memory: "1536Mi" },
} as const;

/** Writable directory for the service's state and the Pulumi CLI's home (the root filesystem is read-only). */
export const stateDir = "/var/lib/rollgate";

export interface WorkloadArgs {
  readonly image: pulumi.Input<string>;
  readonly replicas: pulumi.Input<number>;
  readonly serviceAccountName: pulumi.Input<string>;
  readonly secret: CreatedSecret;
  /** Extra plain environment variables (e.g. `ROLLGATE_PROMETHEUS_URL`). */
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface Workload {
  readonly deploymentName: pulumi.Output<string>;
}

/** The service's Deployment, spread over zones and nodes, hardened, with its PodDisruptionBudget. */
export function createWorkload(scope: ServiceScope, args: WorkloadArgs): Workload {
  const metadata = { name: scope.objectName, namespace: scope.namespace, labels: scope.labels };
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    // A small cluster (one zone, fewer nodes than replicas) still schedules every replica.
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: scope.selector },
  });

  const deployment = new k8s.apps.v1.Deployment(
    `${scope.name}-deployment`,
    {
      metadata,
      spec: {
        replicas: args.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: scope.selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: scope.labels },
          spec: {
            serviceAccountName: args.serviceAccountName,
            // The service and the Pulumi Kubernetes provider authenticate with the pod's service account token.
            automountServiceAccountToken: true,
            // Matches ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS (60) plus time to abandon in-flight operations safely.
            terminationGracePeriodSeconds: 90,
            securityContext: restrictedPodSecurity(runAsUser),
            topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
            containers: [
              {
                name: "rollgate",
                image: args.image,
                ports: [{ name: "http", containerPort: httpPort, protocol: "TCP" }],
                env: containerEnv(args),
                readinessProbe: probe("/readyz", 5, 3),
                livenessProbe: probe("/healthz", 10, 3),
                startupProbe: probe("/healthz", 2, 30),
                resources: serviceResources,
                securityContext: restrictedContainerSecurity(runAsUser),
                volumeMounts: [
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "state", mountPath: stateDir },
                  { name: "secret-files", mountPath: secretFilesDir, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: {} },
              { name: "state", emptyDir: {} },
              {
                name: "secret-files",
                secret: {
                  secretName: args.secret.secretName,
                  items: [{ key: secretEntries.apiTokens.key, path: secretEntries.apiTokens.file }],
                  defaultMode: 0o440,
                },
              },
            ],
          },
        },
      },
    },
    { parent: scope.parent },
  );

  // Voluntary disruptions (node drains) take at most one replica at a time.
  new k8s.policy.v1.PodDisruptionBudget(
    `${scope.name}-pdb`,
    { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: scope.selector } } },
    { parent: scope.parent },
  );

  return { deploymentName: deployment.metadata.name };
}

/** Plain settings first, then each present secret as a `secretKeyRef`: no secret value is ever a plain `value`. */
function containerEnv(args: WorkloadArgs): k8s.types.input.core.v1.EnvVar[] {
  const plain: Record<string, pulumi.Input<string>> = {
    ...args.env,
    ROLLGATE_HOST: "0.0.0.0",
    ROLLGATE_PORT: String(httpPort),
    ROLLGATE_STATE_DIR: stateDir,
    ROLLGATE_TOKENS_FILE: `${secretFilesDir}/${secretEntries.apiTokens.file}`,
    // The Pulumi CLI writes its home (credentials, workspaces) under HOME.
    HOME: `${stateDir}/home`,
  };
  const fromSecret = Object.values(secretEntries).flatMap((entry) =>
    "env" in entry && args.secret.keys.has(entry.key)
      ? [{ name: entry.env, valueFrom: { secretKeyRef: { name: args.secret.secretName, key: entry.key } } }]
      : [],
  );
  const named = Object.keys(plain)
    .sort()
    .map((name) => ({ name, value: plain[name] }));
  return [
    ...named,
    // Each replica's lease holder id: the pod name is unique and stable for the pod's life.
    { name: "ROLLGATE_REPLICA_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ...fromSecret,
  ];
}
