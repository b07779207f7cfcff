import { describe, expect, it } from "vitest";
import type { HttpRoute } from "../../../automation/dataplane/clusterObjects";
import { localGatewayController, missingBackends, routeStatusOf, RouteStatusWriter } from "../../../automation/dataplane/routeStatus";
import { silentLogger } from "../../../automation/deps";

const now = new Date("2030-01-01T00:00:00Z");

function route(generation: number, status?: HttpRoute["status"]): HttpRoute {
  return {
    metadata: { namespace: "shop", name: "web", generation },
    spec: {
      parentRefs: [{ name: "rollgate-gateway", namespace: "rollgate-system" }],
      hostnames: ["shop.local"],
      rules: [{ backendRefs: [{ name: "web-stable", weight: 90 }, { name: "web-canary", weight: 10 }] }],
    },
    ...(status ? { status } : {}),
  };
}

describe("the local gateway's HTTPRoute status", () => {
  it("accepts the route per parent with the generation it serves, and names missing backends", () => {
    const missing = missingBackends(route(3), new Set(["shop/web-stable"]));
    const status = routeStatusOf(route(3), missing, now);

    expect(missing).toEqual(["web-canary"]);
    expect(status.parents).toEqual([
      {
        parentRef: { name: "rollgate-gateway", namespace: "rollgate-system" },
        controllerName: localGatewayController,
        conditions: [
          expect.objectContaining({ type: "Accepted", status: "True", observedGeneration: 3 }),
          expect.objectContaining({ type: "ResolvedRefs", status: "False", reason: "BackendNotFound", message: "no Service web-canary", observedGeneration: 3 }),
        ],
      },
    ]);
  });

  it("patches the status subresource once per generation", async () => {
    const patches: { path: string; patch: unknown }[] = [];
    const writer = new RouteStatusWriter({ mergePatch: async (path, patch) => void patches.push({ path, patch }) }, silentLogger, () => now);
    const services = new Set(["shop/web-stable", "shop/web-canary"]);

    await writer.report([route(4)], services);
    const written = (patches[0]?.patch as { status: HttpRoute["status"] }).status;
    await writer.report([route(4, written)], services);
    await writer.report([route(5, written)], services);

    expect(patches.map((patch) => patch.path)).toEqual([
      "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/web/status",
      "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/web/status",
    ]);
  });

  it("writes nothing for a route without parents, and survives a refused patch", async () => {
    const writer = new RouteStatusWriter({ mergePatch: () => Promise.reject(new Error("forbidden")) }, silentLogger, () => now);

    await expect(writer.report([{ ...route(1), spec: { hostnames: ["a"] } }, route(1)], new Set())).resolves.toBeUndefined();
  });
});
