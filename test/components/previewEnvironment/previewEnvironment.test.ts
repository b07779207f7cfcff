import { beforeEach, describe, expect, it } from "vitest";
import type { PreviewEnvironmentArgs } from "../../../components/previewEnvironment/previewEnvironment";
import { at, installMocks, isSecretInput, MockedResources, named, ofType, types, valueOf } from "../../setup/pulumiMocks";

const baseArgs: PreviewEnvironmentArgs = {
  app: "shop",
  pr: 42,
  branch: "feature/Checkout v2",
  commitSha: "0123456789abcdef0123456789abcdef01234567",
  image: "ghcr.io/rollgate/shop:pr-42-0123456",
  previewDomain: "preview.rollgate.dev",
  createdAt: "2025-03-01T12:00:00Z",
};

// The mocked RandomString yields "a1b2c3" for length 6.
const namespaceName = "pr-42-feature-checkout-v2-a1b2c3";

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: Partial<PreviewEnvironmentArgs> = {}) {
  const { PreviewEnvironment } = await import("../../../components/previewEnvironment/previewEnvironment");
  const preview = new PreviewEnvironment("shop-preview", { ...baseArgs, ...args });
  const resources = await mocks.settle();
  return { preview, resources };
}

describe("PreviewEnvironment", () => {
  it("draws a 6-character lower-case suffix that changes only with the PR number", async () => {
    const { resources } = await render();

    expect(named(resources, "shop-preview-suffix").inputs).toEqual({
      length: 6,
      lower: true,
      upper: false,
      numeric: true,
      special: false,
      keepers: { pr: "42" },
    });
  });

  it("names the namespace from the PR number, the branch and the suffix", async () => {
    const { preview, resources } = await render();

    expect(at(named(resources, "shop-preview-namespace").inputs, "metadata.name")).toBe(namespaceName);
    expect(await valueOf(preview.namespace)).toBe(namespaceName);
  });

  it("labels and annotates the namespace with PR, branch, commit, creation and expiry", async () => {
    const { resources } = await render({ ttlHours: 24 });

    const metadata = at(named(resources, "shop-preview-namespace").inputs, "metadata");
    expect(at(metadata, "labels")).toMatchObject({ "rollgate.dev/pr": "42", "rollgate.dev/environment": "preview" });
    expect(at(metadata, "annotations")).toEqual({
      "rollgate.dev/branch": "feature/Checkout v2",
      "rollgate.dev/commit-sha": "0123456789abcdef0123456789abcdef01234567",
      "rollgate.dev/created-at": "2025-03-01T12:00:00Z",
      "rollgate.dev/expires-at": "2025-03-02T12:00:00.000Z",
      "rollgate.dev/ttl-hours": "24",
    });
  });

  it("names the namespace from the PR number alone when the branch is unknown", async () => {
    const { resources } = await render({ branch: undefined, commitSha: undefined });

    const metadata = at(named(resources, "shop-preview-namespace").inputs, "metadata");
    expect(at(metadata, "name")).toBe("pr-42-a1b2c3");
    expect(Object.keys(at(metadata, "annotations") as object).sort()).toEqual([
      "rollgate.dev/created-at",
      "rollgate.dev/expires-at",
      "rollgate.dev/ttl-hours",
    ]);
  });

  it("expires 72 hours after creation by default", async () => {
    const { preview } = await render();

    expect(preview.expiresAt).toBe("2025-03-04T12:00:00.000Z");
  });

  it("bounds the namespace with a ResourceQuota and a LimitRange", async () => {
    const { resources } = await render();

    const quota = ofType(resources, types.resourceQuota);
    const limits = ofType(resources, types.limitRange);
    expect(quota).toHaveLength(1);
    expect(limits).toHaveLength(1);
    expect(at(quota[0], "inputs.metadata.namespace")).toBe(namespaceName);
    expect(at(quota[0], "inputs.spec.hard")).toMatchObject({ "requests.cpu": "1", pods: "10", "services.loadbalancers": "0" });
    expect(at(limits[0], "inputs.spec.limits.0.type")).toBe("Container");
  });

  it("isolates the namespace, admitting only its own pods and the gateway's namespace", async () => {
    const { resources } = await render();

    const policy = named(resources, "shop-preview-isolation");
    expect(at(policy.inputs, "spec")).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: {} }] },
        { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "rollgate-system" } } }] },
      ],
    });
  });

  it("admits the configured Gateway's namespace", async () => {
    const { resources } = await render({ router: { kind: "gateway-api", gatewayNamespace: "edge" } });

    expect(at(named(resources, "shop-preview-isolation").inputs, "spec.ingress.1.from.0.namespaceSelector.matchLabels")).toEqual({
      "kubernetes.io/metadata.name": "edge",
    });
  });

  it("runs the PR's image as the preview track", async () => {
    const { preview, resources } = await render();

    const deployment = named(resources, "shop-preview-web-deployment");
    expect(at(deployment.inputs, "metadata")).toMatchObject({ name: "shop-preview", namespace: namespaceName });
    expect(at(deployment.inputs, "spec.selector.matchLabels")).toEqual({
      "app.kubernetes.io/name": "shop",
      "rollgate.dev/track": "preview",
    });
    expect(at(deployment.inputs, "spec.template.spec.containers.0.image")).toBe(baseArgs.image);
    expect(at(deployment.inputs, "metadata.annotations")).toMatchObject({ "rollgate.dev/branch": "feature/Checkout v2" });
    expect(await valueOf(preview.image)).toBe(baseArgs.image);
    expect(await valueOf(preview.deploymentName)).toBe("shop-preview");
  });

  it("routes pr-<n>.<previewDomain> to the preview with an HTTPRoute", async () => {
    const { preview, resources } = await render();

    const route = named(resources, "shop-preview-route-httproute");
    expect(at(route.inputs, "spec.hostnames")).toEqual(["pr-42.preview.rollgate.dev"]);
    expect(at(route.inputs, "spec.rules.0.backendRefs")).toEqual([
      { group: "", kind: "Service", name: "shop-preview", port: 8080, weight: 100 },
    ]);
    expect(await valueOf(preview.url)).toBe("http://pr-42.preview.rollgate.dev");
  });

  it("creates no DNS record without a zone", async () => {
    const { resources } = await render();

    expect(ofType(resources, types.dnsRecord)).toEqual([]);
  });

  it("creates a Cloudflare DNS record with a secret token when a zone is configured", async () => {
    const { resources } = await render({ dns: { zoneId: "zone-1", apiToken: "token-1", target: "gateway.rollgate.dev" } });

    const record = named(resources, "shop-preview-dns");
    expect(record.inputs).toMatchObject({
      zoneId: "zone-1",
      name: "pr-42.preview.rollgate.dev",
      type: "CNAME",
      content: "gateway.rollgate.dev",
      ttl: 300,
    });
    expect(isSecretInput(named(resources, "shop-preview-cloudflare").inputs.apiToken)).toBe(true);
    expect(record.provider).toContain("shop-preview-cloudflare");
  });

  it("uses an A record for an IPv4 target", async () => {
    const { resources } = await render({ dns: { zoneId: "zone-1", apiToken: "token-1", target: "203.0.113.7" } });

    expect(named(resources, "shop-preview-dns").inputs.type).toBe("A");
  });

  describe("validation", () => {
    const cases: [string, Partial<PreviewEnvironmentArgs>, string][] = [
      ["a PR number of 0", { pr: 0 }, "`pr`"],
      ["a blank branch", { branch: " " }, "`branch`"],
      ["a commit SHA that is not hexadecimal", { commitSha: "main" }, "`commitSha`"],
      ["a preview domain that is not a DNS name", { previewDomain: "not a domain" }, "`previewDomain`"],
      ["a createdAt that is not an instant", { createdAt: "last tuesday" }, "`createdAt`"],
      ["a TTL of 0 hours", { ttlHours: 0 }, "`ttlHours`"],
      ["an image that is not a reference", { image: "bad image" }, "`image`"],
      ["an app name with capitals", { app: "Shop" }, "`app`"],
    ];

    it.each(cases)("rejects %s, naming the argument", async (_case, args, argument) => {
      await expect(render(args)).rejects.toThrow(argument);
    });

    it("creates nothing when the arguments are invalid", async () => {
      await expect(render({ pr: -3, image: "bad image" })).rejects.toThrow(/`pr`.*`image`/);

      expect(await mocks.settle()).toEqual([]);
    });
  });
});
