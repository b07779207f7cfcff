import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, installMocks, isSecretInput, named, ofType, types, valueOf } from "../setup/pulumiMocks";

const staging = {
  "rollgate:environment": "staging",
  "rollgate:app": "shop",
  "rollgate:stableImage": "ghcr.io/rollgate/shop:1.0.0",
  "rollgate:hostnames": '["shop.staging.example.com"]',
};

const preview = {
  "rollgate:environment": "preview",
  "rollgate:app": "shop",
  "rollgate:image": "ghcr.io/rollgate/shop:pr-42",
  "rollgate:pr": "42",
  "rollgate:branch": "feature/cart",
  "rollgate:commitSha": "0123456789abcdef0123456789abcdef01234567",
  "rollgate:createdAt": "2025-03-01T12:00:00Z",
  "rollgate:ttlHours": "48",
  "rollgate:previewDomain": "preview.example.com",
};

/** Runs the program under mocks with `config`; returns its outputs (resolved) and what it registered. */
async function run(config: Record<string, string>, secretKeys: string[] = []) {
  const mocks = await installMocks({ config, secretKeys });
  const { program } = await import("../../infra/program");
  const outputs = await program();
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = await valueOf(value);
  }
  const resources = await mocks.settle();
  return { outputs: resolved, resources };
}

describe("program", () => {
  describe("a staging or production stack", () => {
    it("creates the namespace and a canary release in it", async () => {
      const { resources } = await run(staging);

      expect(at(named(resources, "shop-namespace").inputs, "metadata")).toMatchObject({
        name: "shop-staging",
        labels: { "rollgate.dev/environment": "staging" },
      });
      expect(named(resources, "shop").type).toBe("rollgate:release:CanaryRelease");
      expect(at(named(resources, "shop-stable-deployment").inputs, "metadata.namespace")).toBe("shop-staging");
    });

    it("returns the release's outputs", async () => {
      const { outputs } = await run({
        ...staging,
        "rollgate:canaryImage": "ghcr.io/rollgate/shop:1.1.0",
        "rollgate:canaryWeight": "20",
      });

      expect(outputs).toEqual({
        environment: "staging",
        app: "shop",
        router: "gateway-api",
        url: "http://shop.staging.example.com",
        namespace: "shop-staging",
        stableImage: "ghcr.io/rollgate/shop:1.0.0",
        canaryImage: "ghcr.io/rollgate/shop:1.1.0",
        canaryWeight: 20,
        stableWeight: 80,
        stableDeploymentName: "shop-stable",
        canaryDeploymentName: "shop-canary",
      });
    });

    it("routes the step's header to the canary and mirrors its share of the traffic", async () => {
      const { resources } = await run({
        ...staging,
        "rollgate:canaryImage": "ghcr.io/rollgate/shop:1.1.0",
        "rollgate:canaryMirrorPercent": "15",
        "rollgate:canaryHeaderName": "x-canary",
        "rollgate:canaryHeaderValue": "internal",
      });

      const rules = at(named(resources, "shop-traffic-httproute").inputs, "spec.rules") as unknown[];
      expect(at(rules[0], "filters.0.requestMirror.percent")).toBe(15);
      expect(at(rules[1], "matches.0.headers.0")).toEqual({ type: "Exact", name: "x-canary", value: "internal" });
    });

    it("reports a null canary image and all traffic on stable without a canary", async () => {
      const { outputs } = await run({ ...staging, "rollgate:canaryWeight": "30" });

      expect(outputs).toMatchObject({ canaryImage: null, canaryWeight: 0, stableWeight: 100 });
    });

    it("stamps the deployer and release id on the workloads", async () => {
      const { resources } = await run({
        ...staging,
        "rollgate:canaryImage": "ghcr.io/rollgate/shop:1.1.0",
        "rollgate:deployedBy": "ci-bot",
        "rollgate:releaseId": "rel-3",
      });

      expect(at(named(resources, "shop-canary-deployment").inputs, "spec.template.metadata.annotations")).toEqual({
        "rollgate.dev/release-id": "rel-3",
        "rollgate.dev/deployed-by": "ci-bot",
      });
    });

    it("labels workloads with the environment", async () => {
      const { resources } = await run({ ...staging, "rollgate:environment": "production" });

      expect(at(named(resources, "shop-stable-deployment").inputs, "spec.template.metadata.labels")).toMatchObject({
        "rollgate.dev/environment": "production",
      });
    });
  });

  describe("a preview stack", () => {
    it("creates a preview environment for the pull request", async () => {
      const { resources } = await run(preview);

      expect(named(resources, "shop").type).toBe("rollgate:preview:PreviewEnvironment");
      expect(ofType(resources, types.namespace)).toHaveLength(1);
      expect(at(named(resources, "shop-route-httproute").inputs, "spec.hostnames")).toEqual(["pr-42.preview.example.com"]);
    });

    it("returns the preview's outputs", async () => {
      const { outputs } = await run(preview);

      expect(outputs).toEqual({
        environment: "preview",
        app: "shop",
        router: "gateway-api",
        url: "http://pr-42.preview.example.com",
        namespace: "pr-42-feature-cart-a1b2c3",
        image: "ghcr.io/rollgate/shop:pr-42",
        stableImage: "ghcr.io/rollgate/shop:pr-42",
        canaryImage: null,
        canaryWeight: 0,
        stableWeight: 100,
        deploymentName: "shop-preview",
        pr: 42,
        branch: "feature/cart",
        commitSha: "0123456789abcdef0123456789abcdef01234567",
        createdAt: "2025-03-01T12:00:00Z",
        expiresAt: "2025-03-03T12:00:00.000Z",
      });
    });

    it("accepts the blank branch and commit the service writes when it does not know them", async () => {
      const { outputs } = await run({ ...preview, "rollgate:branch": "", "rollgate:commitSha": "" });

      expect(outputs).toMatchObject({ namespace: "pr-42-a1b2c3", branch: null, commitSha: null });
    });

    it("reads the Cloudflare token as a secret", async () => {
      const { resources } = await run(
        {
          ...preview,
          "rollgate:cloudflareZoneId": "zone-1",
          "rollgate:cloudflareApiToken": "token-1",
          "rollgate:previewDnsTarget": "gateway.example.com",
        },
        ["rollgate:cloudflareApiToken"],
      );

      expect(isSecretInput(named(resources, "shop-cloudflare").inputs.apiToken)).toBe(true);
      expect(named(resources, "shop-dns").inputs).toMatchObject({ name: "pr-42.preview.example.com", content: "gateway.example.com" });
    });
  });

  describe("render mode", () => {
    it("sends every Kubernetes object through a provider that writes YAML", async () => {
      const { resources } = await run({ ...staging, "rollgate:renderDir": "/tmp/rollgate-render" });

      const provider = named(resources, "shop-render");
      expect(provider.type).toBe(types.kubernetesProvider);
      expect(provider.inputs.renderYamlToDirectory).toBe("/tmp/rollgate-render");
      const kubernetesObjects = resources.filter((resource) => resource.type.startsWith("kubernetes:"));
      expect(kubernetesObjects.length).toBeGreaterThan(0);
      expect(kubernetesObjects.every((resource) => resource.provider?.includes("shop-render"))).toBe(true);
    });

    it("uses the ambient cluster without a render directory", async () => {
      const { resources } = await run(staging);

      expect(ofType(resources, types.kubernetesProvider)).toEqual([]);
    });
  });

  describe("invalid config", () => {
    it("fails naming every bad key before creating any resource", async () => {
      const mocks = await installMocks({ config: { ...staging, "rollgate:canaryWeight": "150", "rollgate:port": "0" } });
      const { program } = await import("../../infra/program");

      await expect(program()).rejects.toThrow(/rollgate:canaryWeight[\s\S]*rollgate:port/);

      expect(await mocks.settle()).toEqual([]);
    });
  });
});

describe("stack config files", () => {
  const stacksDir = join(__dirname, "..", "..", "stacks");

  it.each(["dev", "staging", "production"])("Pulumi.%s.yaml parses into a valid config", async (stack) => {
    const { parseConfig } = await import("../../infra/config");

    const config = parseConfig(readStackConfig(readFileSync(join(stacksDir, `Pulumi.${stack}.yaml`), "utf8")));

    expect(config.app).toBe("sample-app");
  });

  it("Pulumi.dev.yaml deploys the sample app's canary release to the local Gateway at weight 0", async () => {
    const { parseConfig } = await import("../../infra/config");

    const config = parseConfig(readStackConfig(readFileSync(join(stacksDir, "Pulumi.dev.yaml"), "utf8")));

    expect(config).toMatchObject({
      router: { kind: "gateway-api", gatewayName: "rollgate-gateway", gatewayNamespace: "rollgate-system" },
      stableImage: "ghcr.io/rollgate/sample-app:1.0.0",
      canaryWeight: 0,
    });
  });

  it("pins production images by digest", async () => {
    const raw = readStackConfig(readFileSync(join(stacksDir, "Pulumi.production.yaml"), "utf8"));

    expect(raw.stableImage).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it("pins every image to a tag or digest, never latest", () => {
    for (const stack of ["dev", "staging", "production"]) {
      const raw = readStackConfig(readFileSync(join(stacksDir, `Pulumi.${stack}.yaml`), "utf8"));
      expect(String(raw.stableImage)).toMatch(/:(?!latest)[\w.-]+(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("preview.template.yaml parses once its placeholders are filled", async () => {
    const { parseConfig } = await import("../../infra/config");
    const template = readFileSync(join(stacksDir, "preview.template.yaml"), "utf8");
    const values: Record<string, string> = {
      IMAGE_TAG: "pr-42-0123456",
      PR_NUMBER: "42",
      BRANCH: "feature/cart",
      COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
      CREATED_AT: "2025-03-01T12:00:00Z",
      DEPLOYED_BY: "github-actions",
    };

    const filled = template.replace(/\$\{(\w+)\}/g, (_match, name: string) => values[name] ?? "");
    const config = parseConfig(readStackConfig(filled));

    expect(config).toMatchObject({ environment: "preview", pr: 42, image: "ghcr.io/rollgate/sample-app:pr-42-0123456" });
  });
});

/**
 * Reads the `rollgate:` keys of a stack file. Handles exactly the YAML our
 * stack files use: `key: scalar` and `key:` followed by `- item` lines.
 */
function readStackConfig(yaml: string): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  let listKey: string | undefined;
  for (const line of yaml.split("\n")) {
    const content = line.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, "");
    const item = /^\s+-\s+(.+)$/.exec(content);
    if (item && listKey) {
      (raw[listKey] as string[]).push(unquote(item[1] ?? ""));
      continue;
    }
    const entry = /^\s+rollgate:(\w+):\s*(.*)$/.exec(content);
    listKey = undefined;
    if (entry?.[1] !== undefined) {
      if ((entry[2] ?? "") === "") {
        listKey = entry[1];
        raw[listKey] = [];
      } else {
        raw[entry[1]] = unquote(entry[2] ?? "");
      }
    }
  }
  return raw;
}

function unquote(value: string): string {
  return value.trim().replace(/^"(.*)"$/, "$1");
}

