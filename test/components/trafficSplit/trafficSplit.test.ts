import { beforeEach, describe, expect, it } from "vitest";
import type { TrafficSplitArgs } from "../../../components/trafficSplit/trafficSplit";
import { at, installMocks, isSecretInput, MockedResources, named, ofType, types, valueOf } from "../../setup/pulumiMocks";

const listenerArn =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2";

const baseArgs: TrafficSplitArgs = {
  app: "web",
  namespace: "shop",
  hostnames: ["web.example.com"],
  stable: { serviceName: "web-stable", port: 8080 },
  canary: { serviceName: "web-canary", port: 8080 },
  canaryWeight: 20,
};

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: Partial<TrafficSplitArgs> = {}) {
  const { TrafficSplit } = await import("../../../components/trafficSplit/trafficSplit");
  const split = new TrafficSplit("web", { ...baseArgs, ...args });
  const resources = await mocks.settle();
  return { split, resources };
}

describe("TrafficSplit", () => {
  it("uses the Gateway API router by default", async () => {
    const { split, resources } = await render();

    expect(split.routerKind).toBe("gateway-api");
    expect(ofType(resources, types.httpRoute)).toHaveLength(1);
    expect(named(resources, "web").type).toBe("rollgate:traffic:TrafficSplit");
  });

  describe("gateway-api router", () => {
    it("attaches the HTTPRoute to rollgate-gateway in rollgate-system by default", async () => {
      const { resources } = await render();

      const route = named(resources, "web-httproute");
      expect(at(route.inputs, "spec.parentRefs")).toEqual([
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "rollgate-gateway", namespace: "rollgate-system" },
      ]);
      expect(at(route.inputs, "apiVersion")).toBe("gateway.networking.k8s.io/v1");
    });

    it("attaches to the configured Gateway and listener and serves the host names", async () => {
      const { resources } = await render({
        hostnames: ["web.example.com", "www.example.com"],
        router: { kind: "gateway-api", gatewayName: "edge", gatewayNamespace: "gateways", sectionName: "https" },
      });

      const route = named(resources, "web-httproute");
      expect(at(route.inputs, "spec.parentRefs.0")).toMatchObject({ name: "edge", namespace: "gateways", sectionName: "https" });
      expect(at(route.inputs, "spec.hostnames")).toEqual(["web.example.com", "www.example.com"]);
      expect(at(route.inputs, "metadata")).toMatchObject({ name: "web", namespace: "shop" });
    });

    it("refers to both Services by name and port with their weights", async () => {
      const { resources } = await render();

      expect(at(named(resources, "web-httproute").inputs, "spec.rules.0.backendRefs")).toEqual([
        { group: "", kind: "Service", name: "web-stable", port: 8080, weight: 80 },
        { group: "", kind: "Service", name: "web-canary", port: 8080, weight: 20 },
      ]);
    });

    it("sends requests with the header to the canary through a more specific rule after the weighted one", async () => {
      const { resources } = await render({ headerRoute: { name: "x-canary", value: "always" } });

      const rules = at(named(resources, "web-httproute").inputs, "spec.rules") as unknown[];
      expect(rules).toHaveLength(2);
      expect(at(rules[0], "backendRefs.0.name")).toBe("web-stable");
      expect(at(rules[1], "matches.0.headers")).toEqual([{ type: "Exact", name: "x-canary", value: "always" }]);
      expect(at(rules[1], "backendRefs")).toEqual([{ group: "", kind: "Service", name: "web-canary", port: 8080, weight: 100 }]);
    });

    it("mirrors all traffic to the canary with a RequestMirror filter without a percent", async () => {
      const { resources } = await render({ mirrorPercent: 100 });

      expect(at(named(resources, "web-httproute").inputs, "spec.rules.0.filters")).toEqual([
        { type: "RequestMirror", requestMirror: { backendRef: { group: "", kind: "Service", name: "web-canary", port: 8080 } } },
      ]);
    });

    it("mirrors a share of the traffic with the RequestMirror filter's percent", async () => {
      const { resources } = await render({ mirrorPercent: 10 });

      expect(at(named(resources, "web-httproute").inputs, "spec.rules.0.filters.0.requestMirror.percent")).toBe(10);
    });

    it("keeps the weights of the weighted rule while mirroring", async () => {
      const { resources } = await render({ mirrorPercent: 10 });

      const weights = (at(named(resources, "web-httproute").inputs, "spec.rules.0.backendRefs") as { weight: number }[]).map((ref) => ref.weight);
      expect(weights).toEqual([80, 20]);
    });
  });

  describe("istio router", () => {
    it("routes to each Service's cluster host name and adds a DestinationRule per Service", async () => {
      const { resources } = await render({ router: { kind: "istio" } });

      const virtualService = named(resources, "web-virtualservice");
      expect(at(virtualService.inputs, "spec.gateways")).toEqual(["mesh"]);
      expect(at(virtualService.inputs, "spec.http.0.route.0.destination")).toEqual({
        host: "web-stable.shop.svc.cluster.local",
        port: { number: 8080 },
      });
      expect(ofType(resources, types.destinationRule).map((rule) => at(rule.inputs, "spec.host")).sort()).toEqual([
        "web-canary.shop.svc.cluster.local",
        "web-stable.shop.svc.cluster.local",
      ]);
    });

    it("matches the header before the weighted route", async () => {
      const { resources } = await render({ router: { kind: "istio" }, headerRoute: { name: "x-canary", value: "1" } });

      const http = at(named(resources, "web-virtualservice").inputs, "spec.http") as unknown[];
      expect(at(http[0], "match.0.headers")).toEqual({ "x-canary": { exact: "1" } });
      expect(at(http[1], "name")).toBe("weighted");
    });

    it("matches the header by its lowercase name, as Istio requires", async () => {
      const { resources } = await render({ router: { kind: "istio" }, headerRoute: { name: "X-Canary", value: "1" } });

      expect(at(named(resources, "web-virtualservice").inputs, "spec.http.0.match.0.headers")).toEqual({ "x-canary": { exact: "1" } });
    });

    it("mirrors a share of the weighted route's traffic to the canary", async () => {
      const { resources } = await render({ router: { kind: "istio" }, mirrorPercent: 40 });

      const weighted = at(named(resources, "web-virtualservice").inputs, "spec.http.0");
      expect(at(weighted, "mirror")).toEqual({ host: "web-canary.shop.svc.cluster.local", port: { number: 8080 } });
      expect(at(weighted, "mirrorPercentage")).toEqual({ value: 40 });
    });
  });

  describe("nginx router", () => {
    it("creates a primary Ingress for stable and a canary Ingress with the weight", async () => {
      const { resources } = await render({ router: { kind: "nginx", ingressClassName: "public" } });

      const primary = named(resources, "web-ingress");
      const canary = named(resources, "web-canary-ingress");
      expect(at(primary.inputs, "spec.ingressClassName")).toBe("public");
      expect(at(primary.inputs, "spec.rules.0.http.paths.0.backend.service.name")).toBe("web-stable");
      expect(at(canary.inputs, "spec.rules.0.http.paths.0.backend.service.name")).toBe("web-canary");
      expect(at(canary.inputs, "metadata.annotations")).toEqual({
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": "20",
        "nginx.ingress.kubernetes.io/canary-weight-total": "100",
        "pulumi.com/patchForce": "true",
      });
    });

    it("routes by header with canary-by-header annotations", async () => {
      const { resources } = await render({ router: { kind: "nginx" }, headerRoute: { name: "x-canary", value: "always" } });

      expect(at(named(resources, "web-canary-ingress").inputs, "metadata.annotations")).toMatchObject({
        "nginx.ingress.kubernetes.io/canary-by-header": "x-canary",
        "nginx.ingress.kubernetes.io/canary-by-header-value": "always",
      });
    });
  });

  describe("cloudflare router", () => {
    const cloudflare = {
      kind: "cloudflare",
      accountId: "account-1",
      zoneId: "zone-1",
      apiToken: "token-1",
      stableOrigin: "blue.origin.example.net",
      canaryOrigin: "green.origin.example.net",
    } as const;

    it("keeps the API token secret in an explicit provider used by every Cloudflare resource", async () => {
      const { resources } = await render({ router: cloudflare });

      const provider = named(resources, "web-cloudflare");
      expect(provider.type).toBe(types.cloudflareProvider);
      expect(isSecretInput(provider.inputs.apiToken)).toBe(true);
      const cloudflareResources = resources.filter((resource) => resource.type.startsWith("cloudflare:"));
      expect(cloudflareResources.every((resource) => resource.provider?.includes("web-cloudflare"))).toBe(true);
    });

    it("steers at random between a stable and a canary pool by weight", async () => {
      const { resources } = await render({ router: cloudflare });

      const loadBalancer = named(resources, "web-load-balancer");
      expect(at(loadBalancer.inputs, "name")).toBe("web-lb.example.com");
      expect(at(loadBalancer.inputs, "steeringPolicy")).toBe("random");
      expect(at(loadBalancer.inputs, "fallbackPool")).toBe("web-stable-pool-id");
      expect(at(loadBalancer.inputs, "randomSteering.poolWeights")).toEqual({
        "web-stable-pool-id": 0.8,
        "web-canary-pool-id": 0.2,
      });
      expect(at(named(resources, "web-canary-pool").inputs, "origins.0.address")).toBe("green.origin.example.net");
    });

    it("points each host name at the load balancer with a proxied CNAME", async () => {
      const { resources } = await render({ router: cloudflare });

      expect(named(resources, "web-dns-0").inputs).toMatchObject({
        zoneId: "zone-1",
        name: "web.example.com",
        type: "CNAME",
        content: "web-lb.example.com",
        proxied: true,
        ttl: 1,
      });
    });

    it("names the missing settings", async () => {
      const attempt = render({ router: { ...cloudflare, zoneId: "", apiToken: " " } });

      await expect(attempt).rejects.toThrow(/`router` is invalid: .*`router.zoneId`.*`router.apiToken`/);
    });
  });

  describe("aws router", () => {
    const awsSpec = { kind: "aws", listenerArn, vpcId: "vpc-0a1b2c3d", priority: 100, region: "eu-west-1" } as const;

    it("creates an IP target group per track bound to its Service", async () => {
      const { resources } = await render({ router: awsSpec });

      const groups = ofType(resources, types.targetGroup);
      expect(groups).toHaveLength(2);
      expect(groups[0]?.inputs).toMatchObject({ targetType: "ip", protocol: "HTTP", port: 8080, vpcId: "vpc-0a1b2c3d", region: "eu-west-1" });
      const bindings = ofType(resources, types.targetGroupBinding);
      expect(bindings.map((binding) => at(binding.inputs, "spec.serviceRef.name")).sort()).toEqual(["web-canary", "web-stable"]);
    });

    it("forwards matching hosts to both target groups by weight", async () => {
      const { resources } = await render({ router: awsSpec });

      const rule = named(resources, "web-rule");
      expect(rule.inputs).toMatchObject({ listenerArn, priority: 100, conditions: [{ hostHeader: { values: ["web.example.com"] } }] });
      expect((at(rule.inputs, "actions.0.forward.targetGroups") as { weight: number }[]).map((group) => group.weight)).toEqual([80, 20]);
    });

    it("puts the header rule just before the weighted rule", async () => {
      const { resources } = await render({ router: awsSpec, headerRoute: { name: "x-canary", value: "always" } });

      const headerRule = named(resources, "web-header-rule");
      expect(headerRule.inputs.priority).toBe(99);
      expect(at(headerRule.inputs, "conditions.1.httpHeader")).toEqual({ httpHeaderName: "x-canary", values: ["always"] });
    });

    it("returns the load balancer and target groups for CloudWatch alarms", async () => {
      const { split } = await render({ router: awsSpec });

      expect(split.cloudWatch).toBeDefined();
      expect(await valueOf(split.cloudWatch?.loadBalancer)).toBe("app/public/50dc6c495c0c9188");
      expect(await valueOf(split.cloudWatch?.targetGroups.canary)).toMatch(/^targetgroup\/rgcn-web-canary/);
    });

    it("rejects a listener ARN that is not an ALB listener", async () => {
      const attempt = render({ router: { ...awsSpec, listenerArn: "arn:aws:s3:::bucket" } });

      await expect(attempt).rejects.toThrow("`router.listenerArn` must be an ALB listener ARN");
    });
  });

  describe("validation", () => {
    it("requires at least one host name", async () => {
      await expect(render({ hostnames: [] })).rejects.toThrow("`hostnames` must list at least one host name");
    });

    it("rejects host names that are not DNS names", async () => {
      await expect(render({ hostnames: ["web.example.com", "not a host"] })).rejects.toThrow("`hostnames[1]`");
    });

    it("rejects an unknown router kind", async () => {
      const attempt = render({ router: { kind: "traefik" } as unknown as TrafficSplitArgs["router"] });

      await expect(attempt).rejects.toThrow("`router.kind` must be one of gateway-api, istio, nginx, cloudflare, aws");
    });

    it("names the router when asked for a capability it lacks", async () => {
      const attempt = render({ router: { kind: "nginx" }, mirrorPercent: 50 });

      await expect(attempt).rejects.toThrow("`router` is `nginx`, which does not support mirroring (unsupported)");
    });

    it.each([0, 101, 2.5])("rejects a mirror percent of %s", async (mirrorPercent) => {
      await expect(render({ mirrorPercent })).rejects.toThrow("`mirrorPercent` must be an integer from 1 to 100");
    });

    it.each(["x_canary", "x canary", "-x", "host", ""])("rejects the header name %j", async (name) => {
      await expect(render({ headerRoute: { name, value: "1" } })).rejects.toThrow("`headerRoute.name` must");
    });

    it.each(["", " padded", "tab\there", "é"])("rejects the header value %j", async (value) => {
      await expect(render({ headerRoute: { name: "x-canary", value } })).rejects.toThrow("`headerRoute.value` must be 1 to 256 visible ASCII characters");
    });

    it("creates nothing when the arguments are invalid", async () => {
      await expect(render({ canaryWeight: -5 })).rejects.toThrow();

      expect(await mocks.settle()).toEqual([]);
    });
  });
});
