/**
 * The contract every TrafficRouter honours, run against every router in the
 * registry: weights sum to 100, 0 and 100 mean what they say, no canary means
 * no mention of one, unsupported capabilities are rejected naming the
 * router, a weight-only change touches exactly one resource, the router
 * declares its capabilities, and the weight the router's definition reads
 * back from what it rendered (live, as the release probe does, from the
 * Kubernetes object or from a local server answering as the cloud API would;
 * and declared, as the policy pack does) is the weight it was asked for.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Capability } from "../../../components/trafficSplit/capabilities";
import { routerDefinitions } from "../../../components/trafficSplit/routers/registry";
import type { RouterKind, RouterSpec } from "../../../components/trafficSplit/routers/registry";
import { at, changedResources, named, RegisteredResource } from "../../setup/pulumiMocks";
import { renderedCloudApis } from "../../support/cloudApis/renderedCloudApis";
import { startRecordedServer } from "../../support/cloudApis/recordedServer";
import { capabilityRequests, renderedObject, renderRoute, webServices, type RouteScenario } from "../../support/renderedRoute";
import { exampleAwsAccessKeyId } from "../../support/cloudApis/fixtures";
import { applyMergePatch } from "../../support/mergePatch";
import { brakeAnnotations } from "../../../components/trafficSplit/routers/definition";

type TrackWeights = { stable: number; canary: number; baseline?: number };

type Rendered = (resources: readonly RegisteredResource[]) => unknown;

interface RouterFixture {
  readonly spec: RouterSpec;
  /** The weights the route gives each track, read from what the router registered. */
  weights(resources: readonly RegisteredResource[]): TrackWeights;
  /**
   * For each capability the router renders, what it rendered of the scenario's
   * request (`capabilityRequests`) in the request's own shape: the header
   * route, or the mirror percent.
   */
  readonly renders: Partial<Record<Capability, Rendered>>;
}

const trackOf = (text: string): keyof TrackWeights | undefined =>
  text.includes("web-canary") ? "canary" : text.includes("web-stable") ? "stable" : text.includes("web-baseline") ? "baseline" : undefined;

/** Each track's weight; `baseline` only when the route has a baseline backend. */
function sumByTrack(entries: readonly { key: string; weight: number }[]): TrackWeights {
  const weights: TrackWeights = { stable: 0, canary: 0 };
  for (const entry of entries) {
    const track = trackOf(entry.key);
    if (track === undefined) {
      throw new Error(`cannot tell the track of ${entry.key}`);
    }
    weights[track] = (weights[track] ?? 0) + entry.weight;
  }
  return weights;
}

const fixtures: Record<RouterKind, RouterFixture> = {
  "gateway-api": {
    spec: { kind: "gateway-api", gatewayName: "edge", gatewayNamespace: "gateways" },
    weights: (resources) => {
      const rules = at(named(resources, "web-httproute").inputs, "spec.rules") as Record<string, unknown>[];
      const weighted = rules.find((rule) => !JSON.stringify(rule.matches).includes("headers"));
      const refs = (weighted?.backendRefs ?? []) as { name: string; weight: number }[];
      return sumByTrack(refs.map((ref) => ({ key: ref.name, weight: ref.weight })));
    },
    renders: {
      headerRouting: (resources) => {
        const rules = at(named(resources, "web-httproute").inputs, "spec.rules") as unknown[];
        const header = rules.map((rule) => at(rule, "matches.0.headers.0") as { name: string; value: string } | undefined).find(Boolean);
        const target = rules.find((rule) => at(rule, "matches.0.headers") !== undefined);
        return header && at(target, "backendRefs.0.name") === "web-canary" ? { headerRoute: { name: header.name, value: header.value } } : undefined;
      },
      mirroring: (resources) => {
        const mirror = at(named(resources, "web-httproute").inputs, "spec.rules.0.filters.0.requestMirror") as
          | { backendRef: { name: string }; percent?: number }
          | undefined;
        return mirror?.backendRef.name === "web-canary" ? { mirrorPercent: mirror.percent ?? 100 } : undefined;
      },
      baseline: (resources) => {
        const refs = at(named(resources, "web-httproute").inputs, "spec.rules.0.backendRefs") as { name: string; port: number }[];
        const baseline = refs.find((ref) => ref.name === "web-baseline");
        return baseline ? { baseline: { serviceName: baseline.name, port: baseline.port } } : undefined;
      },
    },
  },
  istio: {
    spec: { kind: "istio", gateways: ["istio-system/public"] },
    weights: (resources) => {
      const http = at(named(resources, "web-virtualservice").inputs, "spec.http") as Record<string, unknown>[];
      const weighted = http.find((route) => route.name === "weighted");
      const routes = (weighted?.route ?? []) as { destination: { host: string }; weight: number }[];
      return sumByTrack(routes.map((route) => ({ key: route.destination.host, weight: route.weight })));
    },
    renders: {
      headerRouting: (resources) => {
        const http = at(named(resources, "web-virtualservice").inputs, "spec.http") as Record<string, unknown>[];
        const headers = at(http[0], "match.0.headers") as Record<string, { exact: string }> | undefined;
        const [name, match] = Object.entries(headers ?? {})[0] ?? [];
        return name && trackOf(String(at(http[0], "route.0.destination.host"))) === "canary" ? { headerRoute: { name, value: match?.exact } } : undefined;
      },
      mirroring: (resources) => {
        const http = at(named(resources, "web-virtualservice").inputs, "spec.http") as Record<string, unknown>[];
        const weighted = http.find((route) => route.name === "weighted");
        const host = at(weighted, "mirror.host");
        return typeof host === "string" && trackOf(host) === "canary" ? { mirrorPercent: at(weighted, "mirrorPercentage.value") } : undefined;
      },
    },
  },
  nginx: {
    spec: { kind: "nginx" },
    weights: (resources) => {
      const canary = resources.find((resource) => resource.name === "web-canary-ingress");
      const annotations = (canary ? at(canary.inputs, "metadata.annotations") : {}) as Record<string, string>;
      const canaryWeight = Number(annotations["nginx.ingress.kubernetes.io/canary-weight"] ?? 0);
      const total = Number(annotations["nginx.ingress.kubernetes.io/canary-weight-total"] ?? 100);
      return { stable: total - canaryWeight, canary: canaryWeight };
    },
    renders: {
      headerRouting: (resources) => {
        const annotations = at(named(resources, "web-canary-ingress").inputs, "metadata.annotations") as Record<string, string>;
        const name = annotations["nginx.ingress.kubernetes.io/canary-by-header"];
        return name ? { headerRoute: { name, value: annotations["nginx.ingress.kubernetes.io/canary-by-header-value"] } } : undefined;
      },
    },
  },
  cloudflare: {
    spec: {
      kind: "cloudflare",
      accountId: "account-1",
      zoneId: "zone-1",
      apiToken: "token-1",
      stableOrigin: "stable.origin.example.net",
      canaryOrigin: "green.origin.example.net",
    },
    weights: (resources) => {
      const poolWeights = at(named(resources, "web-load-balancer").inputs, "randomSteering.poolWeights") as Record<string, number>;
      // The mocks give each resource the id `<name>-id`: web-stable-pool-id, web-canary-pool-id.
      return sumByTrack(
        Object.entries(poolWeights).map(([id, weight]) => ({
          key: id.replace(/^web-(stable|canary)-pool-id$/, "web-$1"),
          weight: Math.round(weight * 100),
        })),
      );
    },
    renders: {},
  },
  aws: {
    spec: {
      kind: "aws",
      listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2",
      vpcId: "vpc-0a1b2c3d",
      priority: 100,
    },
    weights: (resources) => {
      const groups = at(named(resources, "web-rule").inputs, "actions.0.forward.targetGroups") as { arn: string; weight: number }[];
      // The mocked ARNs carry the target group's prefix and Pulumi name: rgst-web-stable-target-... / rgcn-web-canary-target-...
      return sumByTrack(groups.map((group) => ({ key: group.arn, weight: group.weight })));
    },
    renders: {
      headerRouting: (resources) => {
        const rule = resources.find((resource) => resource.name === "web-header-rule");
        const header = rule ? (at(rule.inputs, "conditions.1.httpHeader") as { httpHeaderName: string; values: string[] }) : undefined;
        const target = rule ? String(at(rule.inputs, "actions.0.forward.targetGroups.0.arn")) : "";
        return header && trackOf(target) === "canary" ? { headerRoute: { name: header.httpHeaderName, value: header.values[0] } } : undefined;
      },
    },
  },
};

const kinds = Object.keys(fixtures) as RouterKind[];

function routeWith(kind: RouterKind, scenario: RouteScenario = {}) {
  return renderRoute(fixtures[kind].spec, scenario);
}

describe.each(kinds)("router %s", (kind) => {
  const fixture = fixtures[kind];

  it("gives stable and canary weights that sum to 100", async () => {
    const { resources } = await routeWith(kind, { weight: 30 });

    expect(fixture.weights(resources)).toEqual({ stable: 70, canary: 30 });
  });

  it("sends the canary nothing at weight 0", async () => {
    const { resources } = await routeWith(kind, { weight: 0 });

    expect(fixture.weights(resources)).toEqual({ stable: 100, canary: 0 });
  });

  it("sends the canary everything at weight 100", async () => {
    const { resources } = await routeWith(kind, { weight: 100 });

    expect(fixture.weights(resources)).toEqual({ stable: 0, canary: 100 });
  });

  it("sends everything to stable and never mentions a canary when there is none", async () => {
    const { resources } = await routeWith(kind, { canary: false, weight: 40 });

    expect(fixture.weights(resources)).toEqual({ stable: 100, canary: 0 });
    expect(JSON.stringify(resources.map((resource) => resource.inputs))).not.toMatch(/canary|green/);
  });

  it("changes exactly one resource when only the weight changes", async () => {
    const before = await routeWith(kind, { weight: 10 });
    const after = await routeWith(kind, { weight: 60 });

    expect(changedResources(before.resources, after.resources)).toHaveLength(1);
    expect(before.resources.map((resource) => resource.name)).toEqual(after.resources.map((resource) => resource.name));
  });

  it("declares every capability as supported or not", async () => {
    const { createRouter } = await import("../../../components/trafficSplit/routers/registry");

    const router = createRouter(fixture.spec);

    expect(router.kind).toBe(kind);
    expect(Object.keys(router.capabilities).sort()).toEqual(["baseline", "headerRouting", "mirroring"]);
  });

  it.each(["headerRouting", "mirroring", "baseline"] as const)(
    "builds a route asking for %s only if it supports it, else names the router",
    async (capability) => {
      const { createRouter } = await import("../../../components/trafficSplit/routers/registry");
      const supported = createRouter(fixture.spec).capabilities[capability];

      const attempt = routeWith(kind, { capability });

      if (supported) {
        const { resources } = await attempt;
        expect(resources.length).toBeGreaterThan(0);
      } else {
        await expect(attempt).rejects.toThrow(`\`router\` is \`${kind}\`, which does not support ${capability}`);
      }
    },
  );

  it("declares exactly the capabilities it renders", () => {
    const declared = Object.entries(routerDefinitions[kind].capabilities).flatMap(([capability, supported]) => (supported ? [capability] : []));

    expect(Object.keys(fixture.renders).sort()).toEqual(declared.sort());
  });

  it.each(Object.entries(fixture.renders))("renders %s as asked, sending it to the canary", async (capability, rendered) => {
    const { resources } = await routeWith(kind, { capability: capability as Capability });

    expect(rendered(resources)).toEqual(capabilityRequests[capability as Capability]);
  });

  it.each(Object.entries(fixture.renders))("renders no %s when not asked for it", async (_capability, rendered) => {
    const { resources } = await routeWith(kind);

    expect(rendered(resources)).toBeUndefined();
  });

  it("keeps the weights as they are while routing by header or mirroring", async () => {
    for (const capability of (Object.keys(fixture.renders) as Capability[]).filter((name) => name !== "baseline")) {
      const { resources } = await routeWith(kind, { weight: 30, capability });

      expect(fixture.weights(resources)).toEqual({ stable: 70, canary: 30 });
    }
  });

  it("exposes the weights and a URL for the first host name", async () => {
    const { split } = await routeWith(kind, { weight: 25 });
    const { valueOf } = await import("../../setup/pulumiMocks");

    expect(await valueOf(split.weights)).toEqual({ stable: 75, canary: 25, baseline: 0 });
    expect(await valueOf(split.url)).toMatch(/^https?:\/\/web\.example\.com$/);
  });

  // Routers without the capability refuse a baseline (above).
  if (routerDefinitions[kind].capabilities.baseline) {
    it("gives a baseline as much traffic as the canary, out of stable's share", async () => {
      const { resources } = await routeWith(kind, { weight: 30, capability: "baseline" });

      expect(fixture.weights(resources)).toEqual({ stable: 40, canary: 30, baseline: 30 });
      const late = await routeWith(kind, { weight: 80, capability: "baseline" });
      expect(fixture.weights(late.resources)).toEqual({ stable: 0, canary: 80, baseline: 20 });
    });
  }

  it("rejects a weight outside 0–100 before creating anything", async () => {
    const attempt = routeWith(kind, { weight: 101 });

    await expect(attempt).rejects.toThrow("`canaryWeight` must be an integer from 0 to 100");
  });
});

const roundTripWeights = [0, 5, 25, 50, 100];

describe.each(kinds)("router %s, as its definition reads it", (kind) => {
  const definition = routerDefinitions[kind];
  const live = definition.liveWeight;
  const declared = definition.declaredWeights;

  it("is the definition the renderer builds on", async () => {
    const { createRouter } = await import("../../../components/trafficSplit/routers/registry");

    const router = createRouter(fixtures[kind].spec);

    expect(definition.kind).toBe(kind);
    expect(router.capabilities).toEqual(definition.capabilities);
  });

  // Routers without a reader or policy check yet are listed by the registry tests below.
  if (live !== "unsupported" && live.source === "kubernetes") {
    it.each(roundTripWeights)("reads back a live weight of %i from the rendered objects", async (weight) => {
      const { resources } = await routeWith(kind, { weight, capability: definition.capabilities.headerRouting ? "headerRouting" : undefined });

      const object = renderedObject(resources, live.object("web"));

      expect(object).toBeDefined();
      expect(live.canaryWeight(object, webServices)).toBe(weight);
    });

    it("reads the live weight of a route without a canary as 0", async () => {
      const { resources } = await routeWith(kind, { canary: false, weight: 0 });

      const object = renderedObject(resources, live.object("web"));

      expect(object === undefined ? live.whenAbsent : live.canaryWeight(object, webServices)).toBe(0);
    });
  }

  const brake = definition.brake;
  if (brake !== "unsupported") {
    const scenarios = ["weights only", ...(["headerRouting", "mirroring"] as const).filter((capability) => definition.capabilities[capability])] as const;

    it.each(scenarios)("brakes the live object to 0 in one patch (%s)", async (scenario) => {
      const capability = scenario === "weights only" ? undefined : scenario;
      if (live === "unsupported" || live.source !== "kubernetes") throw new Error(`${kind}'s brake needs its live weight in the cluster`);
      const { resources } = await routeWith(kind, { weight: 25, capability });
      const object = renderedObject(resources, live.object("web"));

      const braked = applyMergePatch(object, brake.patch(object, webServices));

      expect(live.canaryWeight(object, webServices)).toBe(25);
      expect(live.canaryWeight(braked, webServices)).toBe(0);
      // The update that records the brake forces its fields back over the patch's.
      expect((object as { metadata: { annotations: Record<string, string> } }).metadata.annotations).toMatchObject(brakeAnnotations);
    });
  }

  if (live !== "unsupported" && live.source === "api") {
    /** The weight the reader reads from a local server answering as the cloud API would once `resources` exist. */
    const readFromApi = async (resources: readonly RegisteredResource[]) => {
      const api = renderedCloudApis[kind];
      if (!api) throw new Error(`test/support/cloudApis/renderedCloudApis.ts must emulate the ${kind} API`);
      const server = await startRecordedServer(api(resources));
      const { kind: _kind, ...settings } = fixtures[kind].spec;
      try {
        return await live.read(settings, { routeName: "web", hostnames: ["web.example.com"], endpoint: server.url });
      } finally {
        await server.close();
      }
    };

    beforeEach(() => {
      vi.stubEnv("AWS_ACCESS_KEY_ID", exampleAwsAccessKeyId);
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "contract-secret-key");
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it.each(roundTripWeights)("reads back a live weight of %i from its API once the rendered objects exist", async (weight) => {
      const { resources } = await routeWith(kind, { weight, capability: definition.capabilities.headerRouting ? "headerRouting" : undefined });

      expect(await readFromApi(resources)).toBe(weight);
    });

    it("reads the live weight of a route without a canary as 0 from its API", async () => {
      const { resources } = await routeWith(kind, { canary: false, weight: 0 });

      expect(await readFromApi(resources)).toBe(0);
    });
  }

  if (declared !== "unsupported") {
    it.each(roundTripWeights)("declares weights the policy pack accepts at %i", async (weight) => {
      const { trafficWeightProblems } = await import("../../../policies/checks/traffic");
      const { resources } = await routeWith(kind, { weight });

      const checked = resources.filter((resource) => declared.matches(resource.type));

      expect(checked.length).toBeGreaterThan(0);
      expect(checked.flatMap((resource) => trafficWeightProblems(declared, resource.inputs))).toEqual([]);
    });

    it.each(Object.keys(fixtures[kind].renders) as Capability[])("declares weights the policy pack accepts with %s", async (capability) => {
      const { trafficWeightProblems } = await import("../../../policies/checks/traffic");
      const { resources } = await routeWith(kind, { weight: 30, capability });

      const checked = resources.filter((resource) => declared.matches(resource.type));

      expect(checked.flatMap((resource) => trafficWeightProblems(declared, resource.inputs))).toEqual([]);
    });
  }
});

describe("router registry", () => {
  it("has every router read its live weight", () => {
    const unsupported = kinds.filter((kind) => routerDefinitions[kind].liveWeight === "unsupported");

    expect(unsupported).toEqual([]);
  });

  it("says which routers read their live weight from a cloud API rather than the cluster", () => {
    const fromApi = kinds.filter((kind) => {
      const live = routerDefinitions[kind].liveWeight;
      return live !== "unsupported" && live.source === "api";
    });

    expect(fromApi.sort()).toEqual(["aws", "cloudflare"]);
  });

  it("says which routers' weights the policy pack does not check yet", () => {
    const unchecked = kinds.filter((kind) => routerDefinitions[kind].declaredWeights === "unsupported");

    expect(unchecked.sort()).toEqual(["aws", "cloudflare"]);
  });

  it("has a contract fixture for every registered router", async () => {
    const { routerKinds } = await import("../../../components/trafficSplit/routers/registry");

    expect([...routerKinds].sort()).toEqual([...kinds].sort());
  });
});
