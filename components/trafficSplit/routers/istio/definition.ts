/**
 * Istio: the weights are the VirtualService's route destination weights; the
 * live weight is read from the `http` route that sends traffic to the stable
 * Service (a header route sends only to the canary).
 */
import { z } from "zod";
import { list, record, type Props } from "../../../untyped";
import type { RouterDefinition, TrackServices } from "../definition";
import { settingText } from "../settingsFields";
import { canaryShare, canaryShareToStable, weightGroups } from "../weightShares";

const VirtualService = z.object({
  spec: z.object({
    http: z
      .array(
        z.object({
          route: z
            .array(z.object({ destination: z.object({ host: z.string() }), weight: z.number().int().min(0).optional() }))
            .optional(),
        }),
      )
      .optional(),
  }),
});

/** Whether a destination host names `service`: short (`web`), `web.ns` or the FQDN `web.ns.svc.cluster.local`. */
export function hostIsService(host: string, service: string): boolean {
  return host === service || host.startsWith(`${service}.`);
}

/**
 * The canary's share in percent of the VirtualService's first `http` route
 * with a destination on the stable Service. A lone destination without a
 * weight takes everything, as in Istio; no canary destination is 0.
 */
export function virtualServiceCanaryWeight(virtualService: unknown, services: TrackServices): number {
  const parsed = VirtualService.safeParse(virtualService);
  if (!parsed.success) throw new Error("the VirtualService has no readable spec.http");
  const route = (parsed.data.spec.http ?? []).find((candidate) =>
    (candidate.route ?? []).some((entry) => hostIsService(entry.destination.host, services.stable)),
  );
  if (!route) throw new Error(`the VirtualService has no http route sending traffic to Service ${services.stable}`);
  const destinations = route.route ?? [];
  return canaryShare(
    destinations,
    (entry) => entry.weight,
    (entry) => hostIsService(entry.destination.host, services.canary),
    destinations.length === 1 ? 100 : 0,
  );
}

/** Mirror fields of an Istio http route (`mirrorPercent` is the deprecated spelling). */
const mirrorFields = ["mirror", "mirrorPercentage", "mirrorPercent"];

/**
 * The traffic brake's merge patch of a VirtualService: in every `http` route
 * the canary destination gets 0 and its share goes to stable, a route sending
 * only to the canary (a header route) sends to stable, and a mirror to the
 * canary goes.
 */
export function virtualServiceBrake(virtualService: unknown, services: TrackServices): Readonly<Record<string, unknown>> {
  const hostOf = (destination: Props) => String(record(destination.destination).host ?? "");
  const isCanary = (destination: Props) => hostIsService(hostOf(destination), services.canary);
  const http = list(record(record(virtualService).spec).http).map((value) => {
    const route = record(value);
    const mirrorsCanary = hostIsService(String(record(route.mirror).host ?? ""), services.canary);
    const kept: Props = mirrorsCanary ? Object.fromEntries(Object.entries(route).filter(([key]) => !mirrorFields.includes(key))) : route;
    if (route.route === undefined) return kept;
    const destinations = list(route.route).map(record);
    const routed = canaryShareToStable(destinations, {
      weightOf: (destination) => (typeof destination.weight === "number" ? destination.weight : undefined),
      isCanary,
      implicit: destinations.length === 1 ? 100 : 0,
      withWeight: (destination, weight) => ({ ...destination, weight }),
      toStable: (destination) => ({
        ...destination,
        destination: { ...record(destination.destination), host: services.stable + hostOf(destination).slice(services.canary.length) },
      }),
    });
    return { ...kept, route: routed };
  });
  return { spec: { http } };
}

export const istioDefinition = {
  kind: "istio",
  capabilities: { headerRouting: true, mirroring: true, baseline: false },
  settings: z.object({
    gateways: z.array(settingText("an Istio gateway"), { message: "must be a list of Istio gateways (namespace/name or mesh)" }).min(1, "must be a list of Istio gateways (namespace/name or mesh)").optional(),
  }),
  config: { istioGateways: { setting: "gateways", input: "list" } },
  liveWeight: {
    source: "kubernetes",
    object: (routeName) => ({ group: "networking.istio.io", version: "v1", kind: "VirtualService", plural: "virtualservices", name: routeName }),
    canaryWeight: virtualServiceCanaryWeight,
  },
  declaredWeights: {
    matches: (type) => /^kubernetes:networking\.istio\.io\/[^:]+:VirtualService$/.test(type),
    groups: (props) => weightGroups(record(props).spec, ["http", "tcp", "tls"], "route", (destination) => destination.weight),
  },
  brake: { source: "kubernetes", patch: virtualServiceBrake },
} satisfies RouterDefinition<"istio">;
