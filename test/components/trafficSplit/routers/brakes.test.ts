/**
 * The traffic brakes' patches in detail: the canary's share moves to stable
 * (the total is kept), a route sending only to the canary (a header route)
 * is aimed at stable, mirrors to the canary go, and nothing else changes.
 */
import { describe, expect, it } from "vitest";
import { httpRouteBrake } from "../../../../components/trafficSplit/routers/gateway-api/definition";
import { virtualServiceBrake } from "../../../../components/trafficSplit/routers/istio/definition";
import { canaryIngressBrake, nginxAnnotations } from "../../../../components/trafficSplit/routers/nginx/definition";
import { applyMergePatch } from "../../../support/mergePatch";

const services = { stable: "web-stable", canary: "web-canary" };
const mirrorToCanary = { type: "RequestMirror", requestMirror: { backendRef: { name: "web-canary", port: 80 }, percent: 10 } };
const addHeader = { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "x-track", value: "split" }] } };

describe("the Gateway API brake", () => {
  const route = {
    metadata: { name: "web", resourceVersion: "7" },
    spec: {
      hostnames: ["web.example.com"],
      rules: [
        { matches: [{ headers: [{ name: "x-canary", value: "1" }] }], backendRefs: [{ name: "web-canary", port: 80 }] },
        {
          filters: [mirrorToCanary, addHeader],
          backendRefs: [
            { name: "web-stable", port: 80, weight: 75 },
            { name: "web-canary", port: 80, weight: 25 },
          ],
        },
      ],
    },
  };

  it("moves the canary's weight to stable, aims the header rule at stable and drops the mirror, keeping other filters", () => {
    const braked = applyMergePatch(route, httpRouteBrake(route, services));

    expect(braked).toEqual({
      metadata: route.metadata,
      spec: {
        hostnames: ["web.example.com"],
        rules: [
          { matches: [{ headers: [{ name: "x-canary", value: "1" }] }], backendRefs: [{ name: "web-stable", port: 80 }] },
          {
            filters: [addHeader],
            backendRefs: [
              { name: "web-stable", port: 80, weight: 100 },
              { name: "web-canary", port: 80, weight: 0 },
            ],
          },
        ],
      },
    });
  });

  it("counts a backend without a weight as 1, as the Gateway API does", () => {
    const implicit = { spec: { rules: [{ backendRefs: [{ name: "web-stable" }, { name: "web-canary" }] }] } };

    expect(applyMergePatch(implicit, httpRouteBrake(implicit, services))).toEqual({
      spec: { rules: [{ backendRefs: [{ name: "web-stable", weight: 2 }, { name: "web-canary", weight: 0 }] }] },
    });
  });
});

describe("the Istio brake", () => {
  const virtualService = {
    spec: {
      hosts: ["web.example.com"],
      http: [
        { match: [{ headers: { "x-canary": { exact: "1" } } }], route: [{ destination: { host: "web-canary.apps.svc.cluster.local" } }] },
        {
          mirror: { host: "web-canary.apps.svc.cluster.local" },
          mirrorPercentage: { value: 10 },
          timeout: "5s",
          route: [
            { destination: { host: "web-stable.apps.svc.cluster.local" }, weight: 50 },
            { destination: { host: "web-canary.apps.svc.cluster.local" }, weight: 50 },
          ],
        },
      ],
    },
  };

  it("moves the canary's weight to stable, aims the header route at stable and drops the mirror, keeping the rest", () => {
    expect(applyMergePatch(virtualService, virtualServiceBrake(virtualService, services))).toEqual({
      spec: {
        hosts: ["web.example.com"],
        http: [
          { match: [{ headers: { "x-canary": { exact: "1" } } }], route: [{ destination: { host: "web-stable.apps.svc.cluster.local" } }] },
          {
            timeout: "5s",
            route: [
              { destination: { host: "web-stable.apps.svc.cluster.local" }, weight: 100 },
              { destination: { host: "web-canary.apps.svc.cluster.local" }, weight: 0 },
            ],
          },
        ],
      },
    });
  });

  it("keeps a mirror to anything but the canary", () => {
    const shadow = { spec: { http: [{ mirror: { host: "shadow" }, route: [{ destination: { host: "web-stable" } }] }] } };

    expect(applyMergePatch(shadow, virtualServiceBrake(shadow, services))).toEqual(shadow);
  });
});

describe("the nginx brake", () => {
  it("sets the canary Ingress's weight to 0 and removes its header route", () => {
    const ingress = {
      metadata: {
        annotations: {
          [nginxAnnotations.canary]: "true",
          [nginxAnnotations.canaryWeight]: "25",
          [nginxAnnotations.canaryWeightTotal]: "100",
          [nginxAnnotations.canaryByHeader]: "x-canary",
          [nginxAnnotations.canaryByHeaderValue]: "1",
        },
      },
    };

    expect(applyMergePatch(ingress, canaryIngressBrake())).toEqual({
      metadata: { annotations: { [nginxAnnotations.canary]: "true", [nginxAnnotations.canaryWeight]: "0", [nginxAnnotations.canaryWeightTotal]: "100" } },
    });
  });
});
