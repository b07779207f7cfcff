import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { recommendedLabels } from "../labels";
import type { ServiceScope } from "./scope";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../restrictedSecurity";

/** Marks every trial database object: one instance, no backups, no failover. */
export const notForProductionLabel = { "rollgate.dev/not-for-production": "true" } as const;

/** Pinned by tag, not digest: a trial database is exactly what production's digest rule should reject. */
export const trialDatabaseImage = "postgres:17.2-alpine";

/** UID and GID of the `postgres` user in the Alpine image. */
const postgresUser = 70;
const port = 5432;
const database = "rollgate";

export interface TrialDatabase {
  /** `postgres://` URL of the database, a Pulumi secret. */
  readonly url: pulumi.Output<string>;
}

/**
 * A single-instance PostgreSQL StatefulSet for trying Rollgate out, NOT for
 * production: no replication, no backups, and one pod, so a node drain
 * stops Rollgate. Only the Rollgate pods may reach it.
 */
export function createTrialDatabase(scope: ServiceScope): TrialDatabase {
  const opts = { parent: scope.parent };
  const objectName = `${scope.objectName}-postgres`;
  const selector = { [recommendedLabels.name]: "postgresql", [recommendedLabels.instance]: objectName };
  const labels = { ...scope.labels, ...selector, [recommendedLabels.component]: "database", ...notForProductionLabel };
  const metadata = {
    name: objectName,
    namespace: scope.namespace,
    labels,
    annotations: { "rollgate.dev/note": "Trial database: single instance, no backups. Not for production." },
  };

  const password = new random.RandomPassword(`${scope.name}-database-password`, { length: 32, special: false }, opts);
  const secret = new k8s.core.v1.Secret(
    `${scope.name}-database-secret`,
    { metadata, type: "Opaque", stringData: { POSTGRES_PASSWORD: password.result } },
    opts,
  );
  const service = new k8s.core.v1.Service(
    `${scope.name}-database-service`,
    { metadata, spec: { clusterIP: "None", selector, ports: [{ name: "postgres", port, targetPort: "postgres", protocol: "TCP" }] } },
    opts,
  );
  const isReady = { exec: { command: ["pg_isready", "-U", database, "-d", database, "-h", "127.0.0.1"] }, periodSeconds: 10 };

  new k8s.apps.v1.StatefulSet(
    `${scope.name}-database`,
    {
      metadata,
      spec: {
        // One instance on purpose; see the doc comment. No PodDisruptionBudget: it could only block drains.
        replicas: 1,
        serviceName: service.metadata.name,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(postgresUser),
            containers: [
              {
                name: "postgres",
                image: trialDatabaseImage,
                ports: [{ name: "postgres", containerPort: port, protocol: "TCP" }],
                env: [
                  { name: "POSTGRES_USER", value: database },
                  { name: "POSTGRES_DB", value: database },
                  { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "POSTGRES_PASSWORD" } } },
                  // A subdirectory: the volume's root holds lost+found, which initdb refuses.
                  { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ],
                readinessProbe: isReady,
                livenessProbe: { ...isReady, failureThreshold: 6 },
                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                securityContext: restrictedContainerSecurity(postgresUser),
                volumeMounts: [
                  { name: "data", mountPath: "/var/lib/postgresql/data" },
                  { name: "run", mountPath: "/var/run/postgresql" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "run", emptyDir: {} },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          { metadata: { name: "data", labels }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
        ],
      },
    },
    opts,
  );

  new k8s.networking.v1.NetworkPolicy(
    `${scope.name}-database-network-policy`,
    {
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: scope.selector } }], ports: [{ port, protocol: "TCP" }] }],
      },
    },
    opts,
  );

  return {
    url: pulumi.secret(pulumi.interpolate`postgres://${database}:${password.result}@${objectName}.${scope.namespace}.svc:${port}/${database}`),
  };
}
