import type * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  brakeFieldManager,
  KubernetesClusterProbe,
  releaseTargetFromConfig,
  stackReleaseTargets,
  type ProbeApis,
  type ReleaseTarget,
} from "../../../automation/cluster/clusterProbe";
import { httpRouteCanaryWeight } from "../../../components/trafficSplit/routers/gateway-api/definition";

/** An error shaped like @kubernetes/client-node's ApiException. */
function apiError(code: number): Error & { code: number } {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code });
}

/** The HTTPRoute the gateway-api router renders for `sample-app`. */
function httpRoute(stableWeight: number | undefined, canaryWeight: number | null | undefined, options: { headerRule?: boolean } = {}) {
  const ref = (name: string, weight: number | undefined) => ({ group: "", kind: "Service", name, port: 8080, ...(weight === undefined ? {} : { weight }) });
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "sample-app", namespace: "sample-app-staging" },
    spec: {
      parentRefs: [{ name: "rollgate-gateway", namespace: "rollgate-system" }],
      rules: [
        ...(options.headerRule
          ? [{ matches: [{ headers: [{ name: "x-canary", value: "1" }] }], backendRefs: [ref("sample-app-canary", 100)] }]
          : []),
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [ref("sample-app-stable", stableWeight), ...(canaryWeight === null ? [] : [ref("sample-app-canary", canaryWeight)])],
        },
      ],
    },
  };
}

interface Reads {
  routes: Record<string, unknown>[];
  deployments: { namespace: string; name: string }[];
}

/** Fake client objects answering from fixed objects (or errors), recording what was read. */
function fakeApis(answers: { route?: unknown | Error; deployment?: Partial<k8s.V1Deployment> | Error }): { apis: ProbeApis; reads: Reads } {
  const reads: Reads = { routes: [], deployments: [] };
  const apis: ProbeApis = {
    custom: {
      getNamespacedCustomObject: async (param: Record<string, unknown>) => {
        reads.routes.push(param);
        if (answers.route instanceof Error) throw answers.route;
        return answers.route;
      },
    } as unknown as ProbeApis["custom"],
    apps: {
      readNamespacedDeployment: async (param: { namespace: string; name: string }) => {
        reads.deployments.push({ namespace: param.namespace, name: param.name });
        if (answers.deployment instanceof Error) throw answers.deployment;
        return (answers.deployment ?? {}) as k8s.V1Deployment;
      },
    } as unknown as ProbeApis["apps"],
  };
  return { apis, reads };
}

const target: ReleaseTarget = { namespace: "sample-app-staging", app: "sample-app", router: "gateway-api" };
const at = (resolved: ReleaseTarget = target) => async () => resolved;

describe("KubernetesClusterProbe.readLiveWeight", () => {
  it("reads the canary's weight from the live HTTPRoute named after the app", async () => {
    const { apis, reads } = fakeApis({ route: httpRoute(75, 25) });

    const weight = await new KubernetesClusterProbe(apis, at()).readLiveWeight("staging");

    expect(weight).toBe(25);
    expect(reads.routes).toEqual([
      { group: "gateway.networking.k8s.io", version: "v1", namespace: "sample-app-staging", plural: "httproutes", name: "sample-app" },
    ]);
  });

  it("reads the weighted rule, not a header rule that sends everything to the canary", async () => {
    const { apis } = fakeApis({ route: httpRoute(95, 5, { headerRule: true }) });

    expect(await new KubernetesClusterProbe(apis, at()).readLiveWeight("staging")).toBe(5);
  });

  it("reads 0 when the route has no canary backend", async () => {
    const { apis } = fakeApis({ route: httpRoute(100, null) });

    expect(await new KubernetesClusterProbe(apis, at()).readLiveWeight("staging")).toBe(0);
  });

  it("waits for the gateway that reports on the route to accept its current generation", async () => {
    const reported = (generation: number, observed: number, status = "True") => ({
      ...httpRoute(75, 25),
      metadata: { name: "sample-app", namespace: "sample-app-staging", generation },
      status: { parents: [{ controllerName: "example.com/gateway", conditions: [{ type: "Accepted", status, reason: "NotAllowedByListeners", observedGeneration: observed }] }] },
    });
    const read = (route: unknown) => new KubernetesClusterProbe(fakeApis({ route }).apis, at()).readLiveWeight("staging");

    await expect(read(reported(4, 3))).rejects.toThrow(
      "HTTPRoute sample-app-staging/sample-app says 25% but example.com/gateway has not accepted generation 4 yet (last: 3)",
    );
    await expect(read(reported(4, 4, "False"))).rejects.toThrow("example.com/gateway did not accept it (NotAllowedByListeners)");
    expect(await read(reported(4, 4))).toBe(25);
  });

  it("fails when the route does not exist, naming it", async () => {
    const { apis } = fakeApis({ route: apiError(404) });

    await expect(new KubernetesClusterProbe(apis, at()).readLiveWeight("staging")).rejects.toThrow(
      "HTTPRoute sample-app-staging/sample-app does not exist",
    );
  });

  it("passes other API errors on", async () => {
    const { apis } = fakeApis({ route: apiError(403) });

    await expect(new KubernetesClusterProbe(apis, at()).readLiveWeight("staging")).rejects.toMatchObject({ code: 403 });
  });

  it("reads an istio release from the VirtualService named after the app", async () => {
    const destination = (service: string, weight: number) => ({ destination: { host: `${service}.sample-app-staging.svc.cluster.local` }, weight });
    const virtualService = { spec: { http: [{ name: "weighted", route: [destination("sample-app-stable", 80), destination("sample-app-canary", 20)] }] } };
    const { apis, reads } = fakeApis({ route: virtualService });

    const weight = await new KubernetesClusterProbe(apis, at({ ...target, router: "istio" })).readLiveWeight("staging");

    expect(weight).toBe(20);
    expect(reads.routes).toEqual([
      { group: "networking.istio.io", version: "v1", namespace: "sample-app-staging", plural: "virtualservices", name: "sample-app" },
    ]);
  });

  it("reads an nginx release from the canary Ingress's canary-weight annotation", async () => {
    const ingress = { metadata: { annotations: { "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "25" } } };
    const { apis, reads } = fakeApis({ route: ingress });

    const weight = await new KubernetesClusterProbe(apis, at({ ...target, router: "nginx" })).readLiveWeight("staging");

    expect(weight).toBe(25);
    expect(reads.routes).toEqual([
      { group: "networking.k8s.io", version: "v1", namespace: "sample-app-staging", plural: "ingresses", name: "sample-app-canary" },
    ]);
  });

  it("reads 0 for nginx when there is no canary Ingress", async () => {
    const { apis } = fakeApis({ route: apiError(404) });

    expect(await new KubernetesClusterProbe(apis, at({ ...target, router: "nginx" })).readLiveWeight("staging")).toBe(0);
  });

  it("names the object when its weight cannot be read", async () => {
    const { apis } = fakeApis({ route: { metadata: { annotations: { "nginx.ingress.kubernetes.io/canary-weight": "25" } } } });

    await expect(new KubernetesClusterProbe(apis, at({ ...target, router: "nginx" })).readLiveWeight("staging")).rejects.toThrow(
      'Ingress sample-app-staging/sample-app-canary: the canary Ingress is not marked nginx.ingress.kubernetes.io/canary: "true"',
    );
  });

  it("says so for a router it does not know", async () => {
    const { apis, reads } = fakeApis({ route: httpRoute(100, 0) });

    await expect(new KubernetesClusterProbe(apis, at({ ...target, router: "traefik" })).readLiveWeight("staging")).rejects.toThrow(
      "reading the live weight of router `traefik` is unsupported",
    );
    expect(reads.routes).toEqual([]);
  });
});

describe("httpRouteCanaryWeight", () => {
  const services = { stable: "sample-app-stable", canary: "sample-app-canary" };

  it.each([
    [100, 0, 0],
    [95, 5, 5],
    [0, 100, 100],
    [1, 3, 75],
  ])("stable %i / canary %i is %i%% to the canary", (stable, canary, expected) => {
    expect(httpRouteCanaryWeight(httpRoute(stable, canary), services)).toBe(expected);
  });

  it("counts a backend without a weight as 1, as the Gateway API does", () => {
    expect(httpRouteCanaryWeight(httpRoute(undefined, undefined), services)).toBe(50);
  });

  it("reads 0 when every weight is 0", () => {
    expect(httpRouteCanaryWeight(httpRoute(0, 0), services)).toBe(0);
  });

  it("fails when no rule sends traffic to the stable Service", () => {
    const route = { spec: { rules: [{ backendRefs: [{ name: "other", weight: 1 }] }] } };

    expect(() => httpRouteCanaryWeight(route, services)).toThrow("no rule sending traffic to Service sample-app-stable");
  });

  it("fails on an object without a spec", () => {
    expect(() => httpRouteCanaryWeight({ kind: "HTTPRoute" }, services)).toThrow("no readable spec.rules");
  });
});

describe("KubernetesClusterProbe.canaryAvailableReplicas", () => {
  it("reads status.availableReplicas of the <app>-canary Deployment", async () => {
    const { apis, reads } = fakeApis({ deployment: { status: { availableReplicas: 2 } } });

    const replicas = await new KubernetesClusterProbe(apis, at()).canaryAvailableReplicas("staging");

    expect(replicas).toBe(2);
    expect(reads.deployments).toEqual([{ namespace: "sample-app-staging", name: "sample-app-canary" }]);
  });

  it("reads 0 for a Deployment without available replicas", async () => {
    const { apis } = fakeApis({ deployment: { status: { replicas: 1 } } });

    expect(await new KubernetesClusterProbe(apis, at()).canaryAvailableReplicas("staging")).toBe(0);
  });

  it("reads 0 when the canary Deployment does not exist", async () => {
    const { apis } = fakeApis({ deployment: apiError(404) });

    expect(await new KubernetesClusterProbe(apis, at()).canaryAvailableReplicas("staging")).toBe(0);
  });

  it("passes other API errors on", async () => {
    const { apis } = fakeApis({ deployment: apiError(500) });

    await expect(new KubernetesClusterProbe(apis, at()).canaryAvailableReplicas("staging")).rejects.toMatchObject({ code: 500 });
  });
});

describe("release targets from stack config", () => {
  it("uses rollgate:namespace when the stack sets it", () => {
    const config = { "rollgate:app": "sample-app", "rollgate:namespace": "sample-app", "rollgate:environment": "staging" };

    expect(releaseTargetFromConfig("dev", config)).toEqual({ namespace: "sample-app", app: "sample-app", router: "gateway-api", routerSettings: {} });
  });

  it("defaults the namespace to <app>-<environment> and keeps the router", () => {
    const config = { "rollgate:app": "shop", "rollgate:environment": "production", "rollgate:router": "istio" };

    expect(releaseTargetFromConfig("production", config)).toEqual({ namespace: "shop-production", app: "shop", router: "istio", routerSettings: {} });
  });

  it("reads the router's settings without its secrets, and the host names", () => {
    const config = {
      "rollgate:app": "shop",
      "rollgate:environment": "production",
      "rollgate:router": "aws",
      "rollgate:hostnames": '["shop.example.com","www.example.com"]',
      "rollgate:awsListenerArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/1/2",
      "rollgate:awsRulePriority": "100",
      "rollgate:cloudflareApiToken": "[secret]",
    };

    const resolved = releaseTargetFromConfig("production", config);

    expect(resolved.routerSettings).toEqual({ listenerArn: config["rollgate:awsListenerArn"], priority: 100 });
    expect(resolved.hostnames).toEqual(["shop.example.com", "www.example.com"]);
  });

  it("keeps a cloudflare token out of the settings it reads from stack config", () => {
    const config = { "rollgate:app": "shop", "rollgate:namespace": "shop", "rollgate:router": "cloudflare", "rollgate:cloudflareApiToken": "[secret]", "rollgate:domain": "example.com" };

    const resolved = releaseTargetFromConfig("production", config);

    expect(resolved.routerSettings).toEqual({});
    expect(resolved.hostnames).toEqual(["shop.example.com"]);
  });

  it("names the stack when the config cannot say where the release runs", () => {
    expect(() => releaseTargetFromConfig("qa", {})).toThrow("stack `qa` has no rollgate:app config");
    expect(() => releaseTargetFromConfig("qa", { "rollgate:app": "shop" })).toThrow("neither rollgate:namespace nor rollgate:environment");
  });

  it("reads the environment's stack once per ttl", async () => {
    let now = 0;
    const reads: string[] = [];
    const engine = {
      config: async (stack: string) => {
        reads.push(stack);
        return { "rollgate:app": "sample-app", "rollgate:environment": "staging" };
      },
    };
    const targets = stackReleaseTargets(engine, { ttlMs: 1000, now: () => now });

    await targets("staging");
    now = 999;
    await targets("staging");
    now = 1000;
    const target = await targets("staging");

    expect(reads).toEqual(["staging", "staging"]);
    expect(target.namespace).toBe("sample-app-staging");
  });

  it("maps environments to stacks and does not cache failures", async () => {
    const reads: string[] = [];
    let fail = true;
    const engine = {
      config: async (stack: string) => {
        reads.push(stack);
        if (fail) throw new Error("backend unreachable");
        return { "rollgate:app": "web", "rollgate:namespace": "web" };
      },
    };
    const targets = stackReleaseTargets(engine, { stackFor: (environment) => `acme-${environment}` });

    await expect(targets("production")).rejects.toThrow("backend unreachable");
    fail = false;
    const target = await targets("production");

    expect(reads).toEqual(["acme-production", "acme-production"]);
    expect(target).toEqual({ namespace: "web", app: "web", router: "gateway-api", routerSettings: {} });
  });

  it("drives the probe end to end from the engine's config", async () => {
    const { apis, reads } = fakeApis({ route: httpRoute(50, 50), deployment: { status: { availableReplicas: 1 } } });
    const engine = { config: async () => ({ "rollgate:app": "sample-app", "rollgate:namespace": "team-a" }) };
    const probe = new KubernetesClusterProbe(apis, stackReleaseTargets(engine));

    expect(await probe.readLiveWeight("dev")).toBe(50);
    expect(await probe.canaryAvailableReplicas("dev")).toBe(1);
    expect(reads.deployments).toEqual([{ namespace: "team-a", name: "sample-app-canary" }]);
  });
});

describe("KubernetesClusterProbe.brake", () => {
  type Patch = { ref: Record<string, unknown>; patch: Record<string, unknown>; fieldManager: string };
  const withPatches = (apis: ProbeApis, patches: Patch[]): ProbeApis => ({
    ...apis,
    objects: {
      mergePatch: async (ref, patch, fieldManager) => {
        patches.push({ ref: { ...ref }, patch: patch as Record<string, unknown>, fieldManager });
        return {};
      },
    },
  });

  it("patches the live HTTPRoute to send the canary nothing, under its field manager and the resourceVersion it read", async () => {
    const route = { ...httpRoute(75, 25), metadata: { name: "sample-app", namespace: "sample-app-staging", resourceVersion: "42" } };
    const patches: Patch[] = [];
    const probe = new KubernetesClusterProbe(withPatches(fakeApis({ route }).apis, patches), at());

    const result = await probe.brake?.("staging");

    expect(result).toEqual({ braked: true, detail: "HTTPRoute sample-app-staging/sample-app" });
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({
      ref: { group: "gateway.networking.k8s.io", version: "v1", namespace: "sample-app-staging", plural: "httproutes", name: "sample-app" },
      fieldManager: brakeFieldManager,
      patch: { metadata: { resourceVersion: "42" } },
    });
    expect(httpRouteCanaryWeight({ ...route, ...patches[0]?.patch }, { stable: "sample-app-stable", canary: "sample-app-canary" })).toBe(0);
  });

  it("has nothing to brake when nginx's canary Ingress is gone", async () => {
    const patches: Patch[] = [];
    const probe = new KubernetesClusterProbe(withPatches(fakeApis({ route: apiError(404) }).apis, patches), at({ ...target, router: "nginx" }));

    expect(await probe.brake?.("staging")).toEqual({ braked: false, detail: "Ingress sample-app-staging/sample-app-canary does not exist" });
    expect(patches).toEqual([]);
  });

  it("leaves a router without a brake to the stack update", async () => {
    const patches: Patch[] = [];
    const probe = new KubernetesClusterProbe(withPatches(fakeApis({}).apis, patches), at({ ...target, router: "cloudflare" }));

    expect(await probe.brake?.("staging")).toEqual({ braked: false, detail: "router `cloudflare` has no brake" });
    expect(patches).toEqual([]);
  });

  it("offers no brake without write access", () => {
    expect(new KubernetesClusterProbe(fakeApis({}).apis, at()).brake).toBeUndefined();
  });
});
