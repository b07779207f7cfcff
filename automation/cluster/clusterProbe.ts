/**
 * The release controller's `ClusterProbe`: the canary weight the live router
 * carries (read, as the router definition's `liveWeight` says, from a
 * Kubernetes object here or from the router's cloud API in
 * `apiLiveWeight.ts`), and the canary Deployment's available replicas. Where an environment lives (namespace, app, router) is
 * read from its release stack's config, so the probe finds the same objects
 * the program created.
 *
 * Names follow the components: route objects are named after the app
 * (`TrafficSplit`'s default `routeName`), the Deployments and Services are
 * `<app>-stable` and `<app>-canary` (`WebService`), and the namespace
 * defaults to `<app>-<environment>` (`infra/config.ts`).
 */
import type * as k8s from "@kubernetes/client-node";
import type { KubernetesWeightReader } from "../../components/trafficSplit/routers/definition";
import { defaultRouterKind, isRouterKind, routerDefinitions } from "../../components/trafficSplit/routers/registry";
import { readApiLiveWeight, type CloudApiOptions } from "./apiLiveWeight";
import { routerSettingsFromConfig } from "./routerSettings";
import type { StackEngine } from "../engine/port";
import type { BrakeResult, ClusterProbe } from "../release/ports";
import type { ObjectPatches } from "./kubeApi";
import { toList } from "../../infra/configInputs";
import { stackConfigKeys } from "../../infra/configKeys";

/** Where an environment's release runs. */
export interface ReleaseTarget {
  readonly namespace: string;
  readonly app: string;
  /** Router kind from `rollgate:router` (default `gateway-api`). */
  readonly router: string;
  /** Public host names (`rollgate:hostnames`, else `<app>.<domain>`); cloud routers name their objects after them. */
  readonly hostnames?: readonly string[];
  /** The router's settings from stack config, without secrets; cloud routers' API readers need them. */
  readonly routerSettings?: Readonly<Record<string, unknown>>;
}

/** The Kubernetes reads the probe makes, and the brake's patch; the real clients fit, tests pass fakes. */
export interface ProbeApis {
  readonly apps: Pick<k8s.AppsV1Api, "readNamespacedDeployment">;
  readonly custom: Pick<k8s.CustomObjectsApi, "getNamespacedCustomObject">;
  /** Without it the probe only reads: `brake` is left out. */
  readonly objects?: ObjectPatches;
}

/** The field manager the traffic brake's patches are recorded under (`metadata.managedFields`). */
export const brakeFieldManager = "rollgate-brake";

export type TargetResolver = (environment: string) => Promise<ReleaseTarget>;

export const objectNames = {
  route: (app: string) => app,
  stable: (app: string) => `${app}-stable`,
  canary: (app: string) => `${app}-canary`,
} as const;

export class KubernetesClusterProbe implements ClusterProbe {
  constructor(
    private readonly apis: ProbeApis,
    private readonly targetFor: TargetResolver,
    private readonly cloud: CloudApiOptions = {},
  ) {}

  async readLiveWeight(environment: string): Promise<number> {
    const target = await this.targetFor(environment);
    const kind = target.router;
    const reader = isRouterKind(kind) ? routerDefinitions[kind].liveWeight : "unsupported";
    if (reader === "unsupported" || !isRouterKind(kind)) {
      throw new Error(`reading the live weight of router \`${kind}\` is unsupported`);
    }
    if (reader.source === "kubernetes") return readLiveWeight(this.apis, reader, target);
    const where = { router: kind, routeName: objectNames.route(target.app), hostnames: target.hostnames ?? [], settings: target.routerSettings ?? {} };
    return readApiLiveWeight(reader, where, this.cloud);
  }

  /** The traffic brake, where the probe was given write access. */
  get brake(): ((environment: string) => Promise<BrakeResult>) | undefined {
    return this.apis.objects ? (environment) => this.brakeOn(environment) : undefined;
  }

  private async brakeOn(environment: string): Promise<BrakeResult> {
    const patches = this.apis.objects;
    const target = await this.targetFor(environment);
    const kind = target.router;
    if (!patches || !isRouterKind(kind)) return { braked: false, detail: `router \`${kind}\` has no brake` };
    const { brake, liveWeight } = routerDefinitions[kind];
    if (brake === "unsupported" || liveWeight === "unsupported" || liveWeight.source !== "kubernetes") {
      return { braked: false, detail: `router \`${kind}\` has no brake` };
    }
    const ref = liveWeight.object(objectNames.route(target.app));
    const where = { group: ref.group, version: ref.version, namespace: target.namespace, plural: ref.plural, name: ref.name };
    let object: unknown;
    try {
      object = await this.apis.custom.getNamespacedCustomObject(where);
    } catch (error) {
      if (isNotFound(error)) return { braked: false, detail: `${ref.kind} ${target.namespace}/${ref.name} does not exist` };
      throw error;
    }
    const services = { stable: objectNames.stable(target.app), canary: objectNames.canary(target.app) };
    // The resourceVersion read makes the API server refuse the patch (409) if the object changed since.
    const resourceVersion = (object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    const patch = brake.patch(object, services);
    await patches.mergePatch(where, { ...patch, metadata: { ...(patch.metadata ?? {}), resourceVersion } }, brakeFieldManager);
    return { braked: true, detail: `${ref.kind} ${target.namespace}/${ref.name}` };
  }

  async canaryAvailableReplicas(environment: string): Promise<number> {
    const { namespace, app } = await this.targetFor(environment);
    try {
      const deployment = await this.apis.apps.readNamespacedDeployment({ namespace, name: objectNames.canary(app) });
      return deployment.status?.availableReplicas ?? 0;
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }
}

async function readLiveWeight(apis: ProbeApis, reader: KubernetesWeightReader, target: ReleaseTarget): Promise<number> {
  const ref = reader.object(objectNames.route(target.app));
  const where = `${ref.kind} ${target.namespace}/${ref.name}`;
  let object: unknown;
  try {
    object = await apis.custom.getNamespacedCustomObject({ group: ref.group, version: ref.version, namespace: target.namespace, plural: ref.plural, name: ref.name });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (reader.whenAbsent !== undefined) return reader.whenAbsent;
    throw new Error(`${where} does not exist`);
  }
  const services = { stable: objectNames.stable(target.app), canary: objectNames.canary(target.app) };
  let weight: number;
  try {
    weight = reader.canaryWeight(object, services);
  } catch (error) {
    throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pending = reader.notServed?.(object);
  if (pending) throw new Error(`${where} says ${weight}% but ${pending}`);
  return weight;
}

/** Namespace, app, router (with its settings) and host names of a release stack, from its config (`rollgate:*` keys). */
export function releaseTargetFromConfig(stack: string, config: Readonly<Record<string, string>>): ReleaseTarget {
  const app = config[stackConfigKeys.app];
  if (!app) throw new Error(`stack \`${stack}\` has no ${stackConfigKeys.app} config`);
  const router = config[stackConfigKeys.router] || defaultRouterKind;
  const where = {
    app,
    router,
    ...hostnamesFromConfig(app, config),
    ...(isRouterKind(router) ? { routerSettings: routerSettingsFromConfig(router, config) } : {}),
  };
  const namespace = config[stackConfigKeys.namespace];
  if (namespace) return { namespace, ...where };
  const environment = config[stackConfigKeys.environment];
  if (!environment) throw new Error(`stack \`${stack}\` has neither rollgate:namespace nor rollgate:environment config`);
  return { namespace: `${app}-${environment}`, ...where };
}

/** `rollgate:hostnames`, else `<app>.<domain>` as the program defaults it; nothing when neither is set. */
function hostnamesFromConfig(app: string, config: Readonly<Record<string, string>>): { hostnames?: readonly string[] } {
  const listed = toList(config[stackConfigKeys.hostnames] ?? "");
  if (listed.ok && Array.isArray(listed.value) && listed.value.length > 0) return { hostnames: listed.value.map(String) };
  const domain = config[stackConfigKeys.domain];
  return domain ? { hostnames: [`${app}.${domain}`] } : {};
}

export interface StackTargetOptions {
  /** The stack of an environment; defaults to the environment's name (as the controller's). */
  readonly stackFor?: (environment: string) => string;
  /** How long a resolved target is reused; reading stack config runs the Pulumi CLI. Default 60 s. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Resolves targets from `engine.config(stack)`, caching each for `ttlMs` (failures are not cached). */
export function stackReleaseTargets(engine: Pick<StackEngine, "config">, options: StackTargetOptions = {}): TargetResolver {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly at: number; readonly target: Promise<ReleaseTarget> }>();
  return (environment) => {
    const cached = cache.get(environment);
    if (cached && now() - cached.at < ttlMs) return cached.target;
    const stack = options.stackFor?.(environment) ?? environment;
    const target = engine.config(stack).then((config) => releaseTargetFromConfig(stack, config));
    cache.set(environment, { at: now(), target });
    target.catch(() => {
      if (cache.get(environment)?.target === target) cache.delete(environment);
    });
    return target;
  };
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 404;
}
