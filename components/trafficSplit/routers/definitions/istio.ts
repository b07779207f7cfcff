/**
 * Istio: the weights are the VirtualService's route destination weights; the
 * live weight is read from the `http` route that sends traffic to the stable
 * Service (a header route sends only to the canary).
 */
import { z } from "zod";
import { record } from "../../../untyped";
import type { RouterDefinition, TrackServices } from "../definition";
import { settingText } from "./settingsFields";
import { canaryShare, weightGroups } from "./weightShares";

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

export const istioDefinition = {
  kind: "istio",
  capabilities: { headerRouting: true, mirroring: true },
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
} satisfies RouterDefinition<"istio">;
