import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imageVersion, isImageReference } from "../image";
import { managedBy, recommendedLabels } from "../labels";
import { checks, defined, isDnsLabel, isHostname, Problems } from "../validation";
import { createTrialDatabase } from "./database";
import { createMonitoring } from "./monitoring";
import { createNetworking } from "./networking";
import { createRbac } from "./rbac";
import type { ServiceScope } from "./scope";
import { createSecret, type RollgateSecrets } from "./secrets";
import { createWorkload } from "./workload";

export type { RollgateSecrets } from "./secrets";

/** Arguments of a {@link RollgateService}: Rollgate itself, running in a cluster. */
export interface RollgateServiceArgs {
  /** Namespace the component creates and runs the service in. */
  readonly namespace: string;
  /** Rollgate's image, pinned to a tag or digest. */
  readonly image: pulumi.Input<string>;
  /** Replicas; they share the database, so any number works. Default 2. */
  readonly replicas?: pulumi.Input<number>;
  /** Host names the HTTPRoute publishes the API, webhook and dashboard on; the first is the URL. */
  readonly hostnames: readonly string[];
  /** The Gateway the HTTPRoute attaches to. */
  readonly gateway: { readonly name: string; readonly namespace: string };
  /** Credentials, each a Pulumi secret. */
  readonly secrets: RollgateSecrets;
  /** Namespaces the service deploys releases into; the namespaced rules are bound in each. Default none. */
  readonly managedNamespaces?: readonly string[];
  /** Whether the service creates previews (binds the namespaced rules cluster-wide). Default true. */
  readonly previews?: boolean;
  /** Create a ServiceMonitor (needs the Prometheus Operator's CRDs). Default false. */
  readonly prometheusOperator?: boolean;
  /** Namespace Prometheus scrapes from, admitted by the NetworkPolicy. Default `monitoring`. */
  readonly prometheusNamespace?: string;
  /**
   * Run a single-instance PostgreSQL StatefulSet for a trial instead of using
   * `secrets.databaseUrl`. NOT for production: no replication, no backups. Default false.
   */
  readonly trialDatabase?: boolean;
  /** Extra plain settings, e.g. `ROLLGATE_PROMETHEUS_URL`. Never credentials: those go in `secrets`. */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
}

export const rollgateServiceDefaults = {
  replicas: 2,
  managedNamespaces: [] as readonly string[],
  previews: true,
  prometheusOperator: false,
  prometheusNamespace: "monitoring",
  trialDatabase: false,
} as const;

/** Variables the component sets itself; `env` must not set them. */
export const reservedEnv = [
  "ROLLGATE_HOST",
  "ROLLGATE_PORT",
  "ROLLGATE_STATE_DIR",
  "ROLLGATE_TOKENS_FILE",
  "ROLLGATE_REPLICA_ID",
  "ROLLGATE_DATABASE_URL",
  "PULUMI_BACKEND_URL",
  "PULUMI_CONFIG_PASSPHRASE",
  "ROLLGATE_GITHUB_TOKEN",
  "ROLLGATE_GITHUB_WEBHOOK_SECRET",
  "HOME",
] as const;

/** Name of the service's objects in its namespace. */
const objectName = "rollgate";

/**
 * Rollgate deployed into a cluster: its namespace, a hardened Deployment
 * with a PodDisruptionBudget, a service account with the reviewed RBAC rules
 * (`rbacRules.ts`), a Secret for its credentials, a Service, an HTTPRoute and
 * a NetworkPolicy, and a Grafana dashboard (plus a ServiceMonitor) for its
 * own `/metrics`. The database is the user's, or for a trial only, a
 * single-instance PostgreSQL StatefulSet (`database.ts`).
 */
export class RollgateService extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  readonly deploymentName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly serviceAccountName: pulumi.Output<string>;
  /** `https://<first host name>`. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: RollgateServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateRollgateServiceArgs(name, args);
    super("rollgate:platform:RollgateService", name, {}, opts);
    const settings = { ...rollgateServiceDefaults, ...defined(args) };

    const selector = { [recommendedLabels.name]: "rollgate", [recommendedLabels.instance]: name };
    const labels = {
      ...selector,
      [recommendedLabels.version]: pulumi.output(args.image).apply(imageVersion),
      [recommendedLabels.component]: "server",
      [recommendedLabels.partOf]: "rollgate",
      [recommendedLabels.managedBy]: managedBy,
    };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" } } },
      { parent: this },
    );
    const scope: ServiceScope = { name, parent: this, objectName, namespace: namespace.metadata.name, labels, selector };

    const rbac = createRbac(scope, { managedNamespaces: settings.managedNamespaces, previews: settings.previews });
    const databaseUrl = settings.trialDatabase ? createTrialDatabase(scope).url : args.secrets.databaseUrl;
    if (databaseUrl === undefined) {
      throw new Error("RollgateService: no database URL although the arguments were checked; this is a bug");
    }
    const secret = createSecret(scope, { ...args.secrets, databaseUrl });
    const workload = createWorkload(scope, {
      image: args.image,
      replicas: settings.replicas,
      serviceAccountName: rbac.serviceAccountName,
      secret,
      env: args.env ?? {},
    });
    const networking = createNetworking(scope, {
      hostnames: args.hostnames,
      gateway: args.gateway,
      prometheusNamespace: settings.prometheusOperator ? settings.prometheusNamespace : undefined,
    });
    createMonitoring(scope, args.namespace, settings.prometheusOperator);

    this.namespace = namespace.metadata.name;
    this.deploymentName = workload.deploymentName;
    this.serviceName = networking.serviceName;
    this.serviceAccountName = rbac.serviceAccountName;
    this.url = pulumi.output(networking.url);
    this.registerOutputs({
      namespace: this.namespace,
      deploymentName: this.deploymentName,
      serviceName: this.serviceName,
      serviceAccountName: this.serviceAccountName,
      url: this.url,
    });
  }
}

const dnsLabelProblem = (value: string) => (isDnsLabel(value) ? undefined : `must be a DNS label (got "${value}")`);

function databaseProblem(args: RollgateServiceArgs): string | undefined {
  const given = args.secrets.databaseUrl !== undefined;
  if (args.trialDatabase === true) {
    return given ? "must not be set with `trialDatabase`, which provides the database" : undefined;
  }
  return given ? undefined : "is required (or set `trialDatabase` for a trial)";
}

/** Checks every argument whose value is already known; throws listing all problems. */
export function validateRollgateServiceArgs(name: string, args: RollgateServiceArgs): void {
  const reserved = Object.keys(args.env ?? {}).filter((key) => (reservedEnv as readonly string[]).includes(key));
  const problems = new Problems()
    .when("namespace", dnsLabelProblem(args.namespace))
    .known("image", args.image, (image) => (isImageReference(image) ? undefined : `must be a container image reference (got "${image}")`))
    .known("replicas", args.replicas, checks.integerBetween(1, 20))
    .when("hostnames", args.hostnames.length === 0 ? "must name at least one host" : undefined)
    .when("gateway.name", dnsLabelProblem(args.gateway.name))
    .when("gateway.namespace", dnsLabelProblem(args.gateway.namespace))
    .when("secrets.databaseUrl", databaseProblem(args))
    .when("env", reserved.length > 0 ? `must not set ${reserved.join(", ")}: RollgateService sets them` : undefined);
  args.hostnames.forEach((host, index) => problems.when(`hostnames[${index}]`, isHostname(host) ? undefined : `must be a DNS host name (got "${host}")`));
  (args.managedNamespaces ?? []).forEach((ns, index) => problems.when(`managedNamespaces[${index}]`, dnsLabelProblem(ns)));
  problems.throwIfAny(`RollgateService "${name}"`);
}
