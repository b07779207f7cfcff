/**
 * The local gateway reports on the HTTPRoutes it serves as a Gateway API
 * implementation does: per parent, `Accepted` and `ResolvedRefs` conditions
 * stamped with the route generation the gateway now routes by. Readers (the
 * release controller's probe, `kubectl`) then know a weight change is live,
 * not only written.
 */
import type { KubeClient } from "../cluster/kubeClient";
import type { Logger } from "../deps";
import type { HttpRoute, ParentRef } from "./clusterObjects";

export const localGatewayController = "rollgate.dev/local-gateway";

export interface Condition {
  readonly type: "Accepted" | "ResolvedRefs";
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

/** Backend Services the route names that do not exist; `services` holds `namespace/name` of every Service. */
export function missingBackends(route: HttpRoute, services: ReadonlySet<string>): string[] {
  const namespace = route.metadata?.namespace ?? "";
  return (route.spec?.rules ?? [])
    .flatMap((rule) => rule.backendRefs ?? [])
    .filter((ref) => (ref.kind ?? "Service") === "Service" && !services.has(`${ref.namespace ?? namespace}/${ref.name ?? ""}`))
    .map((ref) => ref.name ?? "(unnamed)");
}

/** The route's `status` as this gateway sees it: one entry per parent, with both conditions. */
export function routeStatusOf(route: HttpRoute, missing: readonly string[], now: Date): { parents: { parentRef: ParentRef; controllerName: string; conditions: Condition[] }[] } {
  const generation = route.metadata?.generation ?? 0;
  const at = now.toISOString();
  const conditions: Condition[] = [
    { type: "Accepted", status: "True", reason: "Accepted", message: "served by the local gateway", observedGeneration: generation, lastTransitionTime: at },
    missing.length === 0
      ? { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "every backend Service exists", observedGeneration: generation, lastTransitionTime: at }
      : { type: "ResolvedRefs", status: "False", reason: "BackendNotFound", message: `no Service ${missing.join(", ")}`, observedGeneration: generation, lastTransitionTime: at },
  ];
  return { parents: (route.spec?.parentRefs ?? []).map((parentRef) => ({ parentRef, controllerName: localGatewayController, conditions })) };
}

/** Whether this gateway already reported `generation` (and the same backend resolution) on the route. */
function reported(route: HttpRoute, resolved: boolean): boolean {
  const generation = route.metadata?.generation ?? 0;
  const ours = (route.status?.parents ?? []).filter((parent) => parent.controllerName === localGatewayController);
  if (ours.length !== (route.spec?.parentRefs ?? []).length) return false;
  return ours.every((parent) => {
    const conditions = parent.conditions ?? [];
    const accepted = conditions.find((condition) => condition.type === "Accepted");
    const refs = conditions.find((condition) => condition.type === "ResolvedRefs");
    return accepted?.observedGeneration === generation && refs?.status === (resolved ? "True" : "False");
  });
}

/** Writes the status of routes whose current generation this gateway has not reported yet. */
export class RouteStatusWriter {
  constructor(
    private readonly client: Pick<KubeClient, "mergePatch">,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Call after the gateway serves `routes`; failures are logged and retried on the next call. */
  async report(routes: readonly HttpRoute[], services: ReadonlySet<string>): Promise<void> {
    await Promise.all(
      routes.map(async (route) => {
        const { namespace, name } = route.metadata ?? {};
        if (!namespace || !name || (route.spec?.parentRefs ?? []).length === 0) return;
        const missing = missingBackends(route, services);
        if (reported(route, missing.length === 0)) return;
        const status = routeStatusOf(route, missing, this.now());
        const path = `/apis/gateway.networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/httproutes/${encodeURIComponent(name)}/status`;
        try {
          await this.client.mergePatch(path, { status });
        } catch (error) {
          this.logger.warn({ route: `${namespace}/${name}`, error: error instanceof Error ? error.message : String(error) }, "could not write the route's status; retrying");
        }
      }),
    );
  }
}
