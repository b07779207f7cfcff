/**
 * Gateway API: the weights are the HTTPRoute's `backendRefs` weights, and
 * the live weight counts only once every gateway reporting on the route has
 * accepted its current generation.
 */
import { z } from "zod";
import { list, record, type Props } from "../../../untyped";
import type { RouterDefinition, TrackServices } from "../definition";
import { dnsLabelSetting, settingText } from "../settingsFields";
import { canaryShare, canaryShareToStable, weightGroups } from "../weightShares";

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
export function httpRouteCanaryWeight(route: unknown, services: TrackServices): number {
  const parsed = HttpRoute.safeParse(route);
  if (!parsed.success) throw new Error("the HTTPRoute has no readable spec.rules");
  const isService = (ref: { kind?: string | undefined }) => ref.kind === undefined || ref.kind === "Service";
  const rule = (parsed.data.spec.rules ?? []).find((candidate) =>
    (candidate.backendRefs ?? []).some((ref) => isService(ref) && ref.name === services.stable),
  );
  if (!rule) throw new Error(`the HTTPRoute has no rule sending traffic to Service ${services.stable}`);
  return canaryShare((rule.backendRefs ?? []).filter(isService), (ref) => ref.weight, (ref) => ref.name === services.canary, 1);
}

/**
 * The traffic brake's merge patch of an HTTPRoute: in every rule the canary
 * backend gets 0 and its share goes to stable, a rule sending only to the
 * canary (a header route) sends to stable, and mirrors to the canary go.
 */
export function httpRouteBrake(route: unknown, services: TrackServices): Readonly<Record<string, unknown>> {
  const isCanary = (ref: Props) => (ref.kind === undefined || ref.kind === "Service") && ref.name === services.canary;
  const keepFilter = (filter: unknown) => {
    const { type, requestMirror } = record(filter);
    return !(type === "RequestMirror" && isCanary(record(record(requestMirror).backendRef)));
  };
  const withoutCanaryMirrors = (owner: Props): Props => (owner.filters === undefined ? owner : { ...owner, filters: list(owner.filters).filter(keepFilter) });
  const rules = list(record(record(route).spec).rules).map((value) => {
    const rule = withoutCanaryMirrors(record(value));
    if (rule.backendRefs === undefined) return rule;
    const backendRefs = canaryShareToStable(list(rule.backendRefs).map(record), {
      weightOf: (ref) => (typeof ref.weight === "number" ? ref.weight : undefined),
      isCanary,
      implicit: 1,
      withWeight: (ref, weight) => ({ ...ref, weight }),
      toStable: (ref) => ({ ...ref, name: services.stable }),
    });
    return { ...rule, backendRefs: backendRefs.map(withoutCanaryMirrors) };
  });
  return { spec: { rules } };
}

export const gatewayApiDefinition = {
  kind: "gateway-api",
  capabilities: { headerRouting: true, mirroring: true, baseline: true },
  settings: z.object({
    gatewayName: dnsLabelSetting.optional(),
    gatewayNamespace: dnsLabelSetting.optional(),
    sectionName: settingText("a Gateway listener name").optional(),
  }),
  config: {
    gatewayName: { setting: "gatewayName" },
    gatewayNamespace: { setting: "gatewayNamespace" },
    gatewaySectionName: { setting: "sectionName" },
  },
  liveWeight: {
    source: "kubernetes",
    object: (routeName) => ({ group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes", name: routeName }),
    canaryWeight: httpRouteCanaryWeight,
    notServed: httpRouteNotServed,
  },
  declaredWeights: {
    matches: (type) => /^kubernetes:gateway\.networking\.k8s\.io\/[^:]+:(HTTPRoute|GRPCRoute|TCPRoute|TLSRoute)$/.test(type),
    groups: (props) => weightGroups(record(props).spec, ["rules"], "backendRefs", (ref) => ref.weight),
  },
  brake: { source: "kubernetes", patch: httpRouteBrake },
} satisfies RouterDefinition<"gateway-api">;
