import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it, vi } from "vitest";
import { serviceConfigNamespace, serviceSecretKeys, serviceSettingKeys } from "../../../infra/service/configKeys";
import { installMocks, named, valueOf } from "../../setup/pulumiMocks";

const config = {
  "rollgate:program": "service",
  "rollgateService:image": "ghcr.io/rollgate/rollgate:0.1.0",
  "rollgateService:hostnames": '["rollgate.example.com"]',
  "rollgateService:databaseUrl": "postgres://rollgate:pw@db:5432/rollgate",
  "rollgateService:configPassphrase": "passphrase",
  "rollgateService:apiTokens": "{}",
};
const secretKeys = ["rollgateService:databaseUrl", "rollgateService:configPassphrase", "rollgateService:apiTokens"];

describe("service program", () => {
  it("deploys the RollgateService and returns its outputs", async () => {
    const mocks = await installMocks({ config, secretKeys });
    const { serviceProgram } = await import("../../../infra/service/program");

    const outputs = serviceProgram();
    const resources = await mocks.settle();

    expect(named(resources, "rollgate").type).toBe("rollgate:platform:RollgateService");
    expect(await valueOf(outputs.url)).toBe("https://rollgate.example.com");
    expect(await valueOf(outputs.namespace)).toBe("rollgate-system");
  });

  it("is what infra/index.ts builds when rollgate:program is service", async () => {
    const mocks = await installMocks({ config, secretKeys });
    vi.resetModules();

    await import("../../../infra/index");
    const resources = await mocks.settle();

    expect(resources.map((resource) => resource.type)).toContain("rollgate:platform:RollgateService");
    expect(resources.map((resource) => resource.type)).not.toContain("rollgate:release:CanaryRelease");
  });

  it("has a stack file that selects it, sets only known keys and holds no credentials", () => {
    const stack = load(readFileSync(join(__dirname, "../../../stacks/Pulumi.rollgate.yaml"), "utf8")) as { config: Record<string, unknown> };
    const known = new Set([...serviceSettingKeys, ...serviceSecretKeys].map((key) => `${serviceConfigNamespace}:${key}`));

    expect(stack.config["rollgate:program"]).toBe("service");
    const serviceKeys = Object.keys(stack.config).filter((key) => key !== "rollgate:program");
    expect(serviceKeys.filter((key) => !known.has(key))).toEqual([]);
    expect(serviceKeys.filter((key) => serviceSecretKeys.some((secret) => key === `${serviceConfigNamespace}:${secret}`))).toEqual([]);
  });
});
