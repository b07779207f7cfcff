import { describe, expect, it } from "vitest";
import { hostIsService, virtualServiceCanaryWeight } from "../../../../../components/trafficSplit/routers/istio/definition";

const services = { stable: "web-stable", canary: "web-canary" };
const destination = (host: string, weight?: number) => ({ destination: { host }, ...(weight === undefined ? {} : { weight }) });
const virtualService = (...http: unknown[]) => ({ spec: { hosts: ["web.example.com"], http } });

describe("virtualServiceCanaryWeight", () => {
  it.each([
    [100, 0, 0],
    [95, 5, 5],
    [50, 50, 50],
    [0, 100, 100],
  ])("stable %i / canary %i is %i%% to the canary", (stable, canary, expected) => {
    const weighted = { route: [destination("web-stable", stable), destination("web-canary", canary)] };

    expect(virtualServiceCanaryWeight(virtualService(weighted), services)).toBe(expected);
  });

  it("reads the route to the stable Service, not a header route that sends everything to the canary", () => {
    const header = { match: [{ headers: { "x-canary": { exact: "1" } } }], route: [destination("web-canary", 100)] };
    const weighted = { route: [destination("web-stable", 90), destination("web-canary", 10)] };

    expect(virtualServiceCanaryWeight(virtualService(header, weighted), services)).toBe(10);
  });

  it("gives a lone destination without a weight everything, as Istio does", () => {
    expect(virtualServiceCanaryWeight(virtualService({ route: [destination("web-stable")] }), services)).toBe(0);
  });

  it("fails when no route sends traffic to the stable Service", () => {
    expect(() => virtualServiceCanaryWeight(virtualService({ route: [destination("other", 100)] }), services)).toThrow(
      "no http route sending traffic to Service web-stable",
    );
  });

  it("fails on an object without a spec", () => {
    expect(() => virtualServiceCanaryWeight({ kind: "VirtualService" }, services)).toThrow("no readable spec.http");
  });
});

describe("hostIsService", () => {
  it.each(["web-stable", "web-stable.shop", "web-stable.shop.svc.cluster.local"])("takes %s for Service web-stable", (host) => {
    expect(hostIsService(host, "web-stable")).toBe(true);
  });

  it("does not take a Service whose name only starts the same", () => {
    expect(hostIsService("web-stable-v2.shop.svc.cluster.local", "web-stable")).toBe(false);
  });
});
