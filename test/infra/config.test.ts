import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, PreviewConfig, RawConfig, ReleaseConfig } from "../../infra/config";

const staging: RawConfig = {
  environment: "staging",
  app: "shop",
  stableImage: "ghcr.io/rollgate/shop:1.0.0",
  hostnames: '["shop.staging.example.com"]',
};

const preview: RawConfig = {
  environment: "preview",
  app: "shop",
  image: "ghcr.io/rollgate/shop:pr-42",
  pr: "42",
  branch: "feature/cart",
  commitSha: "0123456789abcdef0123456789abcdef01234567",
  createdAt: "2025-03-01T12:00:00Z",
  previewDomain: "preview.example.com",
};

const listenerArn =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2";

function issuesOf(raw: RawConfig): Record<string, string> {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) {
      return Object.fromEntries(error.issues.map((issue) => [issue.key, issue.message]));
    }
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseConfig", () => {
  describe("a staging or production stack", () => {
    it("fills in defaults", () => {
      const config = parseConfig(staging) as ReleaseConfig;

      expect(config).toEqual({
        environment: "staging",
        app: "shop",
        namespace: "shop-staging",
        hostnames: ["shop.staging.example.com"],
        stableImage: "ghcr.io/rollgate/shop:1.0.0",
        canaryWeight: 0,
        replicas: 1,
        port: 8080,
        healthPath: "/healthz",
        router: { kind: "gateway-api" },
        prometheusOperator: false,
        release: {},
        verifiedDigests: {},
        canaryBaseline: false,
      });
    });

    it("runs a baseline only on a router that can, and never in a preview", () => {
      expect((parseConfig({ ...staging, canaryImage: "ghcr.io/rollgate/shop:1.1.0", canaryBaseline: "true" }) as ReleaseConfig).canaryBaseline).toBe(true);
      expect(() => parseConfig({ ...staging, router: "nginx", canaryBaseline: "true" })).toThrow(
        /rollgate:canaryBaseline must not be set when router is nginx: it does not support baseline/,
      );
      expect((parseConfig({ ...staging, router: "nginx", canaryBaseline: "false" }) as ReleaseConfig).canaryBaseline).toBe(false);
    });

    it("reads the digests the supply-chain gate verified for each track, and refuses one that is not a digest", () => {
      const digest = `sha256:${"ab".repeat(32)}`;
      const config = parseConfig({ ...staging, stableVerifiedDigest: digest, canaryVerifiedDigest: "" }) as ReleaseConfig;

      expect(config.verifiedDigests).toEqual({ stable: digest });
      expect(() => parseConfig({ ...staging, canaryVerifiedDigest: "sha256:abc" })).toThrow(/rollgate:canaryVerifiedDigest must be an image digest/);
    });

    it("runs two stable replicas in production by default", () => {
      const config = parseConfig({ ...staging, environment: "production" });

      expect(config.replicas).toBe(2);
    });

    it("reads numbers, booleans and lists from their string forms", () => {
      const config = parseConfig({
        ...staging,
        canaryImage: "ghcr.io/rollgate/shop:1.1.0",
        canaryWeight: "25",
        replicas: "3",
        port: "9090",
        prometheusOperator: "true",
        hostnames: "shop.example.com, www.shop.example.com",
      }) as ReleaseConfig;

      expect(config).toMatchObject({
        canaryImage: "ghcr.io/rollgate/shop:1.1.0",
        canaryWeight: 25,
        replicas: 3,
        port: 9090,
        prometheusOperator: true,
        hostnames: ["shop.example.com", "www.shop.example.com"],
      });
    });

    it("derives the host name from the domain when no host names are set", () => {
      const config = parseConfig({ ...staging, hostnames: undefined, domain: "example.com" }) as ReleaseConfig;

      expect(config.hostnames).toEqual(["shop.example.com"]);
    });

    it("treats a blank canary image as no canary", () => {
      const config = parseConfig({ ...staging, canaryImage: "  " }) as ReleaseConfig;

      expect(config.canaryImage).toBeUndefined();
    });

    it("accepts a digest-pinned image", () => {
      const image = `ghcr.io/rollgate/shop:1.0.0@sha256:${"ab".repeat(32)}`;

      expect((parseConfig({ ...staging, stableImage: image }) as ReleaseConfig).stableImage).toBe(image);
    });

    it("carries the deployer and release id", () => {
      const config = parseConfig({ ...staging, deployedBy: "ci-bot", releaseId: "rel-9" });

      expect(config.release).toEqual({ deployedBy: "ci-bot", releaseId: "rel-9" });
    });
  });

  describe("canary routing of a release step", () => {
    it("reads a mirror percent and a header route", () => {
      const config = parseConfig({ ...staging, canaryMirrorPercent: "20", canaryHeaderName: "x-canary", canaryHeaderValue: "internal" }) as ReleaseConfig;

      expect(config).toMatchObject({ canaryMirrorPercent: 20, canaryHeader: { name: "x-canary", value: "internal" } });
    });

    it("treats blank values (how a release clears them) as no mirroring and no header route", () => {
      const config = parseConfig({ ...staging, canaryMirrorPercent: "", canaryHeaderName: "", canaryHeaderValue: "" }) as ReleaseConfig;

      expect(config.canaryMirrorPercent).toBeUndefined();
      expect(config.canaryHeader).toBeUndefined();
    });
  });

  describe("router settings", () => {
    it("builds the Gateway API router's settings", () => {
      const config = parseConfig({ ...staging, gatewayName: "edge", gatewayNamespace: "gateways", gatewaySectionName: "https" });

      expect(config.router).toEqual({ kind: "gateway-api", gatewayName: "edge", gatewayNamespace: "gateways", sectionName: "https" });
    });

    it("builds the Istio router's settings", () => {
      const config = parseConfig({ ...staging, router: "istio", istioGateways: '["istio-system/public"]' });

      expect(config.router).toEqual({ kind: "istio", gateways: ["istio-system/public"] });
    });

    it("builds the nginx router's settings", () => {
      expect(parseConfig({ ...staging, router: "nginx", nginxIngressClass: "public" }).router).toEqual({
        kind: "nginx",
        ingressClassName: "public",
      });
    });

    it("builds the AWS router's settings", () => {
      const config = parseConfig({
        ...staging,
        router: "aws",
        awsListenerArn: listenerArn,
        awsVpcId: "vpc-0a1b2c3d",
        awsRulePriority: "100",
        awsRegion: "eu-west-1",
      });

      expect(config.router).toEqual({ kind: "aws", listenerArn, vpcId: "vpc-0a1b2c3d", priority: 100, region: "eu-west-1" });
    });

    it("keeps the Cloudflare API token a secret", async () => {
      const config = parseConfig({
        ...staging,
        router: "cloudflare",
        cloudflareAccountId: "account-1",
        cloudflareZoneId: "zone-1",
        cloudflareApiToken: pulumi.secret("token-1"),
        cloudflareStableOrigin: "blue.example.net",
        cloudflareCanaryOrigin: "green.example.net",
      });

      expect(config.router.kind).toBe("cloudflare");
      const token = config.router.kind === "cloudflare" ? config.router.apiToken : undefined;
      expect(pulumi.Output.isInstance(token)).toBe(true);
      expect(await pulumi.isSecret(token as pulumi.Output<string>)).toBe(true);
    });
  });

  describe("a preview stack", () => {
    it("reads the pull request's details", () => {
      const config = parseConfig(preview) as PreviewConfig;

      expect(config).toMatchObject({
        environment: "preview",
        image: "ghcr.io/rollgate/shop:pr-42",
        pr: 42,
        branch: "feature/cart",
        createdAt: "2025-03-01T12:00:00Z",
        ttlHours: 72,
        previewDomain: "preview.example.com",
        replicas: 1,
      });
      expect(config.dns).toBeUndefined();
    });

    it("leaves branch and commit out when they are blank", () => {
      const config = parseConfig({ ...preview, branch: "", commitSha: " " }) as PreviewConfig;

      expect(config.branch).toBeUndefined();
      expect(config.commitSha).toBeUndefined();
    });

    it("adds a DNS record when a Cloudflare zone is set", () => {
      const config = parseConfig({
        ...preview,
        cloudflareZoneId: "zone-1",
        cloudflareApiToken: "token-1",
        previewDnsTarget: "gateway.example.com",
      }) as PreviewConfig;

      expect(config.dns).toMatchObject({ zoneId: "zone-1", target: "gateway.example.com" });
    });
  });

  describe("invalid config", () => {
    const cases: [string, RawConfig, string, string][] = [
      ["a missing environment", { ...staging, environment: undefined }, "environment", "is required (one of preview, staging, production)"],
      ["an unknown environment", { ...staging, environment: "qa" }, "environment", 'must be one of preview, staging, production (got "qa")'],
      ["a missing app", { ...staging, app: undefined }, "app", "is required"],
      ["an app that is not a DNS label", { ...staging, app: "My_Shop" }, "app", 'must be a DNS label starting with a letter, at most 55 characters (got "My_Shop")'],
      ["a canary weight above 100", { ...staging, canaryWeight: "150" }, "canaryWeight", 'must be an integer from 0 to 100 (got "150")'],
      ["a fractional canary weight", { ...staging, canaryWeight: "12.5" }, "canaryWeight", 'must be an integer from 0 to 100 (got "12.5")'],
      ["a canary weight that is not a number", { ...staging, canaryWeight: "half" }, "canaryWeight", 'must be an integer from 0 to 100 (got "half")'],
      ["negative replicas", { ...staging, replicas: "-1" }, "replicas", 'must be an integer from 0 to 100 (got "-1")'],
      ["port 0", { ...staging, port: "0" }, "port", 'must be an integer from 1 to 65535 (got "0")'],
      ["a relative health path", { ...staging, healthPath: "healthz" }, "healthPath", 'must be an absolute HTTP path starting with "/" (got "healthz")'],
      ["a stable image that is not a reference", { ...staging, stableImage: "Not An Image" }, "stableImage", 'must be a container image reference such as ghcr.io/org/app:1.2.3 (got "Not An Image")'],
      ["a missing stable image in production", { ...staging, environment: "production", stableImage: undefined }, "stableImage", "is required when environment is production"],
      ["no host names and no domain", { ...staging, hostnames: undefined }, "hostnames", "is required when environment is staging (or set rollgate:domain to use <app>.<domain>)"],
      ["a host name that is not a DNS name", { ...staging, hostnames: "shop..example.com" }, "hostnames", 'must be a list of DNS host names (got "shop..example.com")'],
      ["an unknown router", { ...staging, router: "traefik" }, "router", 'must be one of gateway-api, istio, nginx, cloudflare, aws (got "traefik")'],
      ["a namespace that is not a DNS label", { ...staging, namespace: "Shop NS" }, "namespace", "must be a DNS label (a-z, 0-9 and '-', at most 63 characters) (got \"Shop NS\")"],
      ["prometheusOperator that is not a boolean", { ...staging, prometheusOperator: "yes" }, "prometheusOperator", 'must be true or false (got "yes")'],
      ["the aws router without a listener", { ...staging, router: "aws", awsVpcId: "vpc-1", awsRulePriority: "10" }, "awsListenerArn", "is required when router is aws"],
      ["an aws listener ARN that is not a listener", { ...staging, router: "aws", awsListenerArn: "arn:aws:s3:::bucket", awsVpcId: "vpc-1", awsRulePriority: "10" }, "awsListenerArn", 'must be an ALB listener ARN (got "arn:aws:s3:::bucket")'],
      ["an aws rule priority that is no number", { ...staging, router: "aws", awsListenerArn: listenerArn, awsVpcId: "vpc-1", awsRulePriority: "first" }, "awsRulePriority", 'must be an integer from 2 to 50000 (got "first")'],
      ["an istio gateway list that is no list", { ...staging, router: "istio", istioGateways: "[not json" }, "istioGateways", 'must be a list of Istio gateways (namespace/name or mesh) (got "[not json")'],
      ["an aws rule priority of 1", { ...staging, router: "aws", awsListenerArn: listenerArn, awsVpcId: "vpc-1", awsRulePriority: "1" }, "awsRulePriority", 'must be an integer from 2 to 50000 (got "1")'],
      ["the cloudflare router without a token", { ...staging, router: "cloudflare", cloudflareAccountId: "a", cloudflareZoneId: "z", cloudflareStableOrigin: "s", cloudflareCanaryOrigin: "c" }, "cloudflareApiToken", "is required when router is cloudflare"],
      ["traffic for a canary scaled to zero", { ...staging, canaryImage: "ghcr.io/rollgate/shop:1.1.0", canaryReplicas: "0", canaryWeight: "10" }, "canaryWeight", "must be 0 while rollgate:canaryReplicas is 0: a canary without pods cannot take traffic"],
      ["a mirror percent of 0", { ...staging, canaryMirrorPercent: "0" }, "canaryMirrorPercent", 'must be an integer from 1 to 100 (got "0")'],
      ["a header name with an underscore", { ...staging, canaryHeaderName: "x_canary", canaryHeaderValue: "1" }, "canaryHeaderName", "must be an HTTP header name of letters, digits and inner '-', at most 64 characters (got \"x_canary\")"],
      ["a header name without a value", { ...staging, canaryHeaderName: "x-canary" }, "canaryHeaderValue", "is required when rollgate:canaryHeaderName is set"],
      ["a header value without a name", { ...staging, canaryHeaderValue: "1" }, "canaryHeaderName", "is required when rollgate:canaryHeaderValue is set"],
      ["mirroring on a router that cannot mirror", { ...staging, router: "nginx", canaryMirrorPercent: "10" }, "canaryMirrorPercent", "must not be set when router is nginx: it does not support mirroring"],
      ["header routing on a router without it", { ...staging, router: "cloudflare", cloudflareAccountId: "a", cloudflareZoneId: "z", cloudflareApiToken: "t", cloudflareStableOrigin: "s", cloudflareCanaryOrigin: "c", canaryHeaderName: "x-canary", canaryHeaderValue: "1" }, "canaryHeaderName", "must not be set when router is cloudflare: it does not support headerRouting"],
      ["a mirror percent in a preview", { ...preview, canaryMirrorPercent: "10" }, "canaryMirrorPercent", "must not be set when environment is preview"],
      ["a preview image in a release stack", { ...staging, image: "ghcr.io/rollgate/shop:pr-1" }, "image", "must not be set when environment is staging"],
      ["a preview without a PR number", { ...preview, pr: undefined }, "pr", "is required when environment is preview"],
      ["a PR number of 0", { ...preview, pr: "0" }, "pr", 'must be a pull request number (a positive integer) (got "0")'],
      ["a preview without an image", { ...preview, image: undefined }, "image", "is required when environment is preview"],
      ["a preview with a canary image", { ...preview, canaryImage: "ghcr.io/rollgate/shop:1.1.0" }, "canaryImage", "must not be set when environment is preview"],
      ["a preview with a fixed namespace", { ...preview, namespace: "shop" }, "namespace", "must not be set when environment is preview"],
      ["a commit SHA that is not hexadecimal", { ...preview, commitSha: "HEAD" }, "commitSha", 'must be a hexadecimal commit SHA (got "HEAD")'],
      ["a createdAt that is not an instant", { ...preview, createdAt: "2025-03-01" }, "createdAt", 'must be an ISO-8601 instant such as 2025-01-31T12:00:00Z (got "2025-03-01")'],
      ["a TTL of 0 hours", { ...preview, ttlHours: "0" }, "ttlHours", 'must be an integer from 1 to 2160 (got "0")'],
      ["a preview domain that is not a DNS name", { ...preview, previewDomain: "preview domain" }, "previewDomain", 'must be a DNS domain (got "preview domain")'],
      ["a preview zone without a DNS target", { ...preview, cloudflareZoneId: "zone-1", cloudflareApiToken: "t" }, "previewDnsTarget", "is required for a preview when rollgate:cloudflareZoneId is set"],
    ];

    it.each(cases)("rejects %s with a message naming the key", (_case, raw, key, message) => {
      const issues = issuesOf(raw);

      expect(issues[`rollgate:${key}`]).toBe(message);
    });

    it("names every bad key in one error", () => {
      const attempt = () => parseConfig({ ...staging, app: "Bad App", canaryWeight: "101", port: "http", router: "aws" });

      expect(attempt).toThrow(ConfigError);
      expect(Object.keys(issuesOf({ ...staging, app: "Bad App", canaryWeight: "101", port: "http", router: "aws" })).sort()).toEqual([
        "rollgate:app",
        "rollgate:awsListenerArn",
        "rollgate:awsRulePriority",
        "rollgate:awsVpcId",
        "rollgate:canaryWeight",
        "rollgate:port",
      ]);
    });

    it("writes one line per problem", () => {
      const attempt = () => parseConfig({ ...staging, canaryWeight: "101", port: "0" });

      expect(attempt).toThrow(
        'Invalid stack config (2 problems):\n  - rollgate:canaryWeight must be an integer from 0 to 100 (got "101")\n  - rollgate:port must be an integer from 1 to 65535 (got "0")',
      );
    });

    it("never shows a secret's value", () => {
      const issues = issuesOf({ ...staging, router: "cloudflare", cloudflareApiToken: 12345 as unknown as string });

      expect(issues["rollgate:cloudflareApiToken"]).toBe("must be a string (set it with --secret)");
      expect(JSON.stringify(issues)).not.toContain("12345");
    });
  });
});
