/**
 * The release controller's `ClusterProbe` on the Kubernetes API: the canary
 * weight the live router object carries, and the canary Deployment's
 * available replicas. Where an environment lives (namespace, app, router) is
 * read from its release stack's config, so the probe finds the same objects
 * the program created.
 *
 * Names follow the components: the HTTPRoute is named after the app
 * (`TrafficSplit`'s default `routeName`), the Deployments and Services are
 * `<app>-stable` and `<app>-canary` (`WebService`), and the namespace
 * defaults to `<app>-<environment>` (`infra/config.ts`).
 */
import type * as k8s from "@kubernetes/client-node";
import { z } from "zod";
import type { RouterKind } from "../../components/trafficSplit/routers/registry";
import type { StackEngine } from "../engine/port";
import type { ClusterProbe } from "../release/ports";
import { stackConfigKeys } from "../../infra/configKeys";

/** Where an environment's release runs. */
export interface ReleaseTarget {
  readonly namespace: string;
  readonly app: string;
  /** Router kind from `rollgate:router` (default `gateway-api`). */
  readonly router: string;
}

/** The Kubernetes reads the probe makes; the real clients fit, tests pass fakes. */
export interface ProbeApis {
  readonly apps: Pick<k8s.AppsV1Api, "readNamespacedDeployment">;
  readonly custom: Pick<k8s.CustomObjectsApi, "getNamespacedCustomObject">;
}

export type TargetResolver = (environment: string) => Promise<ReleaseTarget>;

/** Reads the canary's share (0..100) from the live router object. */
type LiveWeightReader = (apis: ProbeApis, target: ReleaseTarget) => Promise<number>;

/** One reader per router kind; a router whose live object is not read yet says so instead of guessing. */
const liveWeightReaders: { readonly [K in RouterKind]: LiveWeightReader | "unsupported" } = {
  "gateway-api": readHttpRouteWeight,
  istio: "unsupported",
  nginx: "unsupported",
  cloudflare: "unsupported",
  aws: "unsupported",
};

export const objectNames = {
  route: (app: string) => app,
  stable: (app: string) => `${app}-stable`,
  canary: (app: string) => `${app}-canary`,
} as const;

export class KubernetesClusterProbe implements ClusterProbe {
  constructor(
    private readonly apis: ProbeApis,
    private readonly targetFor: TargetResolver,
  ) {}

  async readLiveWeight(environment: string): Promise<number> {
    const target = await this.targetFor(environment);
    const reader = (liveWeightReaders as Readonly<Record<string, LiveWeightReader | "unsupported" | undefined>>)[target.router];
    if (reader === undefined || reader === "unsupported") {
      throw new Error(`reading the live weight of router \`${target.router}\` is unsupported; only gateway-api is read from the cluster`);
    }
    return reader(this.apis, target);
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

async function readHttpRouteWeight(apis: ProbeApis, target: ReleaseTarget): Promise<number> {
  const name = objectNames.route(target.app);
  let route: unknown;
  try {
    route = await apis.custom.getNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace: target.namespace,
      plural: "httproutes",
      name,
    });
  } catch (error) {
    if (isNotFound(error)) throw new Error(`HTTPRoute ${target.namespace}/${name} does not exist`);
    throw error;
  }
  const weight = httpRouteCanaryWeight(route, { stable: objectNames.stable(target.app), canary: objectNames.canary(target.app) });
  const pending = httpRouteNotServed(route);
  if (pending) throw new Error(`HTTPRoute ${target.namespace}/${name} says ${weight}% but ${pending}`);
  return weight;
}

const RouteStatus = z.object({
  metadata: z.object({ generation: z.number().optional() }).optional(),
  status: z
    .object({
      parents: z
        .array(
          z.object({
            controllerName: z.string().optional(),
            conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), observedGeneration: z.number().optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/**
 * Why the route's current spec is not what its gateways serve yet, or
 * undefined when it is: every parent a controller reports on has `Accepted`
 * for the current generation. A route no controller reports on (no
 * `status.parents`) is read from its spec alone.
 */
export function httpRouteNotServed(route: unknown): string | undefined {
  const parsed = RouteStatus.safeParse(route);
  if (!parsed.success) return undefined;
  const generation = parsed.data.metadata?.generation ?? 0;
  for (const parent of parsed.data.status?.parents ?? []) {
    const accepted = (parent.conditions ?? []).find((condition) => condition.type === "Accepted");
    const controller = parent.controllerName ?? "its gateway";
    if (accepted?.status === "False") return `${controller} did not accept it (${accepted.reason ?? "no reason given"})`;
    if (accepted?.status !== "True" || (accepted.observedGeneration ?? 0) < generation) {
      return `${controller} has not accepted generation ${generation} yet (last: ${accepted?.observedGeneration ?? "none"})`;
    }
  }
  return undefined;
}

const HttpRoute = z.object({
  spec: z.object({
    rules: z
      .array(
        z.object({
          backendRefs: z
            .array(z.object({ name: z.string(), kind: z.string().optional(), weight: z.number().int().min(0).optional() }))
            .optional(),
        }),
      )
      .optional(),
  }),
});

/**
 * The canary's share in percent of the HTTPRoute rule that splits traffic
 * (the first rule with a backend on the stable Service; a header rule sends
 * only to the canary). Weights are proportional and default to 1, as in the
 * Gateway API; no canary backend is 0.
 */
export function httpRouteCanaryWeight(route: unknown, services: { readonly stable: string; readonly canary: string }): number {
  const parsed = HttpRoute.safeParse(route);
  if (!parsed.success) throw new Error("the HTTPRoute has no readable spec.rules");
  const isService = (ref: { kind?: string | undefined }) => ref.kind === undefined || ref.kind === "Service";
  const rule = (parsed.data.spec.rules ?? []).find((candidate) =>
    (candidate.backendRefs ?? []).some((ref) => isService(ref) && ref.name === services.stable),
  );
  if (!rule) throw new Error(`the HTTPRoute has no rule sending traffic to Service ${services.stable}`);
  const refs = (rule.backendRefs ?? []).filter(isService);
  const weightOf = (ref: { weight?: number | undefined }) => ref.weight ?? 1;
  const total = refs.reduce((sum, ref) => sum + weightOf(ref), 0);
  const canary = refs.filter((ref) => ref.name === services.canary).reduce((sum, ref) => sum + weightOf(ref), 0);
  return total === 0 ? 0 : Math.round((100 * canary) / total);
}

/** Namespace, app and router of a release stack, from its config (`rollgate:*` keys). */
export function releaseTargetFromConfig(stack: string, config: Readonly<Record<string, string>>): ReleaseTarget {
  const app = config[stackConfigKeys.app];
  if (!app) throw new Error(`stack \`${stack}\` has no ${stackConfigKeys.app} config`);
  const router = config[stackConfigKeys.router] || "gateway-api";
  const namespace = config[stackConfigKeys.namespace];
  if (namespace) return { namespace, app, router };
  const environment = config[stackConfigKeys.environment];
  if (!environment) throw new Error(`stack \`${stack}\` has neither rollgate:namespace nor rollgate:environment config`);
  return { namespace: `${app}-${environment}`, app, router };
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
