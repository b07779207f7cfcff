/**
 * A TrafficSplit for app `web` rendered under Pulumi mocks: the route
 * objects a router builds, as the contract suite checks them and as the
 * integration tests apply them to the real kube-apiserver.
 */
import type { Capability } from "../../components/trafficSplit/capabilities";
import type { KubeObjectRef } from "../../components/trafficSplit/routers/definition";
import type { RouterSpec } from "../../components/trafficSplit/routers/registry";
import type { TrafficSplitArgs } from "../../components/trafficSplit/trafficSplit";
import { at, installMocks, type RegisteredResource } from "../setup/pulumiMocks";

export interface RouteScenario {
  readonly canary?: boolean;
  readonly weight?: number;
  readonly capability?: Capability | undefined;
  readonly namespace?: string;
}

/** What a scenario asking for each capability passes; the contract suite checks the routers render exactly this. */
export const capabilityRequests = {
  headerRouting: { headerRoute: { name: "x-canary", value: "always" } },
  mirroring: { mirrorPercent: 25 },
  baseline: { baseline: { serviceName: "web-baseline", port: 8080 } },
} as const satisfies Record<Capability, Partial<TrafficSplitArgs>>;

/** The Services of the two tracks of app `web`. */
export const webServices = { stable: "web-stable", canary: "web-canary" } as const;

export async function renderRoute(router: RouterSpec, scenario: RouteScenario = {}) {
  const mocks = await installMocks();
  const { TrafficSplit } = await import("../../components/trafficSplit/trafficSplit");
  const split = new TrafficSplit("web", {
    app: "web",
    namespace: scenario.namespace ?? "shop",
    hostnames: ["web.example.com"],
    stable: { serviceName: webServices.stable, port: 8080 },
    ...(scenario.canary === false ? {} : { canary: { serviceName: webServices.canary, port: 8080 } }),
    canaryWeight: scenario.weight ?? 30,
    router,
    ...(scenario.capability ? capabilityRequests[scenario.capability] : {}),
  });
  const resources = (await mocks.settle()).filter((resource) => resource.custom);
  return { split, resources };
}

/** The rendered object a live-weight reader would fetch from the cluster, if the router rendered it. */
export function renderedObject(resources: readonly RegisteredResource[], ref: KubeObjectRef): Record<string, unknown> | undefined {
  const type = `kubernetes:${ref.group}/${ref.version}:${ref.kind}`;
  return resources.find((resource) => resource.type === type && at(resource.inputs, "metadata.name") === ref.name)?.inputs;
}
