import { describe, expect, it } from "vitest";
import type { CanaryReleaseArgs } from "../../components/canaryRelease";
import type { RouterKind, RouterSpec } from "../../components/trafficSplit/routers/registry";
import { at, changedResources, installMocks, named, ofType, types, valueOf } from "../setup/pulumiMocks";

const baseArgs: CanaryReleaseArgs = {
  app: "shop",
  namespace: "shop-production",
  stableImage: "ghcr.io/rollgate/shop:1.0.0",
  hostnames: ["shop.example.com"],
};

const withCanary: Partial<CanaryReleaseArgs> = { canaryImage: "ghcr.io/rollgate/shop:1.1.0", canaryWeight: 10 };

async function render(args: Partial<CanaryReleaseArgs> = {}) {
  const mocks = await installMocks();
  const { CanaryRelease } = await import("../../components/canaryRelease");
  const release = new CanaryRelease("shop", { ...baseArgs, ...args });
  const resources = await mocks.settle();
  return { release, resources, mocks };
}

const routers: Record<RouterKind, { spec: RouterSpec; weightResource: string }> = {
  "gateway-api": { spec: { kind: "gateway-api" }, weightResource: "shop-traffic-httproute" },
  istio: { spec: { kind: "istio" }, weightResource: "shop-traffic-virtualservice" },
  nginx: { spec: { kind: "nginx" }, weightResource: "shop-traffic-canary-ingress" },
  cloudflare: {
    spec: {
      kind: "cloudflare",
      accountId: "account-1",
      zoneId: "zone-1",
      apiToken: "token-1",
      stableOrigin: "blue.example.net",
      canaryOrigin: "green.example.net",
    },
    weightResource: "shop-traffic-load-balancer",
  },
  aws: {
    spec: {
      kind: "aws",
      listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2",
      vpcId: "vpc-0a1b2c3d",
      priority: 10,
    },
    weightResource: "shop-traffic-rule",
  },
};

describe("CanaryRelease", () => {
  it("runs only the stable version while no canary image is set", async () => {
    const { resources } = await render();

    expect(ofType(resources, types.deployment).map((deployment) => at(deployment.inputs, "metadata.name"))).toEqual(["shop-stable"]);
    expect(JSON.stringify(named(resources, "shop-traffic-httproute").inputs)).not.toContain("canary");
  });

  it("adds a canary Deployment and Service while a canary image is set", async () => {
    const { resources } = await render(withCanary);

    const deployments = ofType(resources, types.deployment).map((deployment) => at(deployment.inputs, "metadata.name"));
    expect(deployments.sort()).toEqual(["shop-canary", "shop-stable"]);
    expect(at(named(resources, "shop-canary-deployment").inputs, "spec.template.spec.containers.0.image")).toBe(
      "ghcr.io/rollgate/shop:1.1.0",
    );
  });

  it("routes the canary weight to the canary Service and the rest to stable", async () => {
    const { resources } = await render(withCanary);

    const refs = at(named(resources, "shop-traffic-httproute").inputs, "spec.rules.0.backendRefs") as { name: string; weight: number }[];
    expect(refs.map((ref) => [ref.name, ref.weight])).toEqual([
      ["shop-stable", 90],
      ["shop-canary", 10],
    ]);
  });

  it("runs two stable replicas and one canary replica by default", async () => {
    const { resources } = await render(withCanary);

    expect(at(named(resources, "shop-stable-deployment").inputs, "spec.replicas")).toBe(2);
    expect(at(named(resources, "shop-canary-deployment").inputs, "spec.replicas")).toBe(1);
  });

  it("scales the canary with its weight: ceil(stable replicas × weight / 100)", async () => {
    const { resources } = await render({ ...withCanary, replicas: 10, canaryWeight: 25 });

    expect(at(named(resources, "shop-canary-deployment").inputs, "spec.replicas")).toBe(3);
  });

  it("runs a baseline beside the canary when asked: stable's image at the canary's size, routed like the canary", async () => {
    const { resources } = await render({ ...withCanary, replicas: 10, canaryWeight: 25, baseline: true });

    const baseline = named(resources, "shop-baseline-deployment");
    expect(at(baseline.inputs, "spec.template.spec.containers.0.image")).toBe("ghcr.io/rollgate/shop:1.0.0");
    expect(at(baseline.inputs, "spec.replicas")).toBe(3);
    expect((at(baseline.inputs, "spec.template.metadata.labels") as Record<string, string>)["rollgate.dev/track"]).toBe("baseline");
    const refs = at(named(resources, "shop-traffic-httproute").inputs, "spec.rules.0.backendRefs") as { name: string; weight: number }[];
    expect(refs.map(({ name, weight }) => [name, weight])).toEqual([["shop-stable", 50], ["shop-canary", 25], ["shop-baseline", 25]]);
  });

  it("runs no baseline without a canary", async () => {
    const { resources } = await render({ baseline: true });

    expect(ofType(resources, types.deployment).map((deployment) => at(deployment.inputs, "metadata.name"))).toEqual(["shop-stable"]);
  });

  it("runs as many canary as stable replicas at 100%", async () => {
    const { resources } = await render({ ...withCanary, replicas: 3, canaryWeight: 100 });

    expect(at(named(resources, "shop-canary-deployment").inputs, "spec.replicas")).toBe(3);
  });

  it("keeps canaryReplicas when it pins them, whatever the weight", async () => {
    const { resources } = await render({ ...withCanary, replicas: 10, canaryWeight: 50, canaryReplicas: 2 });

    expect(at(named(resources, "shop-canary-deployment").inputs, "spec.replicas")).toBe(2);
  });

  it("exposes the URL, images and weights as outputs", async () => {
    const { release } = await render(withCanary);

    expect(await valueOf(release.url)).toBe("http://shop.example.com");
    expect(await valueOf(release.stableImage)).toBe("ghcr.io/rollgate/shop:1.0.0");
    expect(await valueOf(release.canaryImage)).toBe("ghcr.io/rollgate/shop:1.1.0");
    expect(await valueOf(release.stableWeight)).toBe(90);
    expect(await valueOf(release.canaryWeight)).toBe(10);
    expect(await valueOf(release.namespace)).toBe("shop-production");
  });

  it("reports no canary image and a zero canary weight without a canary", async () => {
    const { release } = await render({ canaryWeight: 50 });

    expect(await valueOf(release.canaryImage)).toBeUndefined();
    expect(await valueOf(release.canaryWeight)).toBe(0);
    expect(await valueOf(release.stableWeight)).toBe(100);
  });

  it("stamps release annotations on the canary's pods but only on the stable Deployment itself", async () => {
    const { resources } = await render({ ...withCanary, release: { releaseId: "rel-7", deployedBy: "ci-bot" } });

    const expected = { "rollgate.dev/release-id": "rel-7", "rollgate.dev/deployed-by": "ci-bot" };
    const stable = named(resources, "shop-stable-deployment");
    const canary = named(resources, "shop-canary-deployment");
    expect(at(canary.inputs, "metadata.annotations")).toEqual(expected);
    expect(at(canary.inputs, "spec.template.metadata.annotations")).toEqual(expected);
    expect(at(stable.inputs, "metadata.annotations")).toEqual(expected);
    expect(at(stable.inputs, "spec.template.metadata.annotations")).toEqual({});
  });

  it("stamps each track's verified digest on its Deployment, the canary's on its pods too", async () => {
    const stableDigest = `sha256:${"a".repeat(64)}`;
    const canaryDigest = `sha256:${"b".repeat(64)}`;
    const { resources } = await render({ ...withCanary, verifiedDigests: { stable: stableDigest, canary: canaryDigest } });

    const stable = named(resources, "shop-stable-deployment");
    const canary = named(resources, "shop-canary-deployment");
    expect(at(stable.inputs, "metadata.annotations")).toEqual({ "rollgate.dev/verified-digest": stableDigest });
    expect(at(stable.inputs, "spec.template.metadata.annotations")).toEqual({});
    expect(at(canary.inputs, "spec.template.metadata.annotations")).toEqual({ "rollgate.dev/verified-digest": canaryDigest });
  });

  it("leaves the stable pods untouched when a canary starts", async () => {
    const before = await render({ release: { releaseId: "rel-6" } });
    const after = await render({ ...withCanary, release: { releaseId: "rel-7" } });

    const podTemplate = (resources: typeof before.resources) =>
      at(named(resources, "shop-stable-deployment").inputs, "spec.template");
    expect(podTemplate(after.resources)).toEqual(podTemplate(before.resources));
  });

  it("creates the dashboard but no Prometheus Operator resources by default", async () => {
    const { resources } = await render(withCanary);

    expect(ofType(resources, types.configMap).map((configMap) => configMap.name)).toEqual(["shop-monitoring-dashboard"]);
    expect(ofType(resources, types.prometheusRule)).toEqual([]);
  });

  it("passes the AWS target groups to monitoring for CloudWatch alarms", async () => {
    const { resources } = await render({ ...withCanary, router: routers.aws.spec });

    expect(ofType(resources, types.metricAlarm)).toHaveLength(4);
  });

  describe.each(Object.keys(routers) as RouterKind[])("with the %s router", (kind) => {
    it("changes only the router's weight resource when only the weight changes", async () => {
      const before = await render({ ...withCanary, router: routers[kind].spec, canaryWeight: 10 });
      const after = await render({ ...withCanary, router: routers[kind].spec, canaryWeight: 40 });

      expect(changedResources(before.resources, after.resources)).toEqual([routers[kind].weightResource]);
    });
  });

  describe("validation", () => {
    it("refuses traffic for a canary scaled to zero", async () => {
      const attempt = render({ ...withCanary, canaryReplicas: 0, canaryWeight: 5 });

      await expect(attempt).rejects.toThrow("`canaryWeight` must be 0 while `canaryReplicas` is 0");
    });

    it("rejects a weight above 100", async () => {
      await expect(render({ ...withCanary, canaryWeight: 120 })).rejects.toThrow("`canaryWeight`");
    });

    it("names a bad canary image and the child it was meant for", async () => {
      await expect(render({ canaryImage: "::" })).rejects.toThrow('WebService "shop-canary": `image`');
    });

    it("creates nothing, not even itself, when a child's arguments are invalid", async () => {
      const mocks = await installMocks();
      const { CanaryRelease } = await import("../../components/canaryRelease");

      const build = () => new CanaryRelease("shop", { ...baseArgs, canaryImage: "::", port: 0 });

      expect(build).toThrow(/shop-stable.*`port`.*shop-canary.*`image`/);
      expect(await mocks.settle()).toEqual([]);
    });
  });
});
