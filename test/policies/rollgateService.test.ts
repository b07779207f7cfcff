import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { rollgatePolicies } from "../../policies/all";
import { installMocks } from "../setup/pulumiMocks";
import { validateResource, validateStack, type Props, type ResourceInput } from "./helpers";

const taggedImage = "ghcr.io/rollgate/rollgate:0.1.0";
const pinnedImage = `ghcr.io/rollgate/rollgate@sha256:${"a".repeat(64)}`;

/** The RollgateService's Kubernetes objects as the policies would see them. */
async function renderedService(image: string, trialDatabase = false): Promise<ResourceInput[]> {
  const mocks = await installMocks();
  const { RollgateService } = await import("../../components/rollgateService");
  new RollgateService("rollgate", {
    namespace: "rollgate-system",
    image,
    hostnames: ["rollgate.example.com"],
    gateway: { name: "edge", namespace: "gateway-system" },
    secrets: {
      ...(trialDatabase ? {} : { databaseUrl: pulumi.secret("postgres://x") }),
      configPassphrase: pulumi.secret("p"),
      apiTokens: pulumi.secret("{}"),
    },
    managedNamespaces: ["shop-staging"],
    prometheusOperator: true,
    trialDatabase,
  });
  const resources = await mocks.settle();
  return resources.filter((resource) => resource.custom).map((resource) => ({ type: resource.type, name: resource.name, props: resource.inputs }));
}

/** Every violation of every policy, each policy given its entry of `configs`. */
async function violationsOf(resources: readonly ResourceInput[], configs: Readonly<Record<string, Props>> = {}): Promise<string[]> {
  const violations: string[] = [];
  for (const policy of rollgatePolicies as readonly Policy[]) {
    // The policy server hands a policy its parameters without the enforcement level.
    const { enforcementLevel: _level, ...config } = configs[policy.name] ?? {};
    if ("validateStack" in policy) {
      const outcome = await validateStack(policy as StackValidationPolicy, resources, config);
      violations.push(...outcome.violations.map((message) => `${policy.name}: ${message}`));
    } else {
      for (const resource of resources) {
        const outcome = await validateResource(policy as ResourceValidationPolicy, resource, config);
        violations.push(...outcome.violations.map((message) => `${policy.name} (${resource.name}): ${message}`));
      }
    }
  }
  return violations;
}

function productionConfig(): Record<string, Props> {
  return JSON.parse(readFileSync(join(__dirname, "../../policies/config/production.json"), "utf8")) as Record<string, Props>;
}

describe("the policy pack against a RollgateService", () => {
  it("finds no violation with its default config", async () => {
    const resources = await renderedService(taggedImage);

    expect(await violationsOf(resources)).toEqual([]);
  });

  it("finds no violation with the production config when the image is pinned by digest", async () => {
    const resources = await renderedService(pinnedImage);

    expect(await violationsOf(resources, productionConfig())).toEqual([]);
  });

  it("rejects the trial database under the production config", async () => {
    const resources = await renderedService(pinnedImage, true);

    const violations = await violationsOf(resources, productionConfig());
    expect(violations).toContainEqual(expect.stringMatching(/^workload-image-pinned \(rollgate-database\): .*digest/));
    expect(violations).toContainEqual(expect.stringMatching(/^workload-min-replicas \(rollgate-database\)/));
  });
});
