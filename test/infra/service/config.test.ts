import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../infra/config";
import { parseServiceConfig, type RawServiceConfig } from "../../../infra/service/config";
import { valueOf } from "../../setup/pulumiMocks";

const minimal = (): RawServiceConfig => ({
  image: "ghcr.io/rollgate/rollgate:0.1.0",
  hostnames: '["rollgate.example.com"]',
  databaseUrl: pulumi.secret("postgres://rollgate:pw@db:5432/rollgate"),
  configPassphrase: pulumi.secret("passphrase"),
  apiTokens: pulumi.secret("{}"),
});

function problems(raw: RawServiceConfig): string[] {
  try {
    parseServiceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.key} ${issue.message}`);
    throw error;
  }
  return [];
}

describe("service config", () => {
  it("fills the defaults around the required keys", () => {
    const config = parseServiceConfig(minimal());

    expect(config).toMatchObject({
      namespace: "rollgate-system",
      image: "ghcr.io/rollgate/rollgate:0.1.0",
      replicas: 2,
      hostnames: ["rollgate.example.com"],
      gateway: { name: "rollgate-gateway", namespace: "rollgate-system" },
      managedNamespaces: [],
      previews: true,
      prometheusOperator: false,
      prometheusNamespace: "monitoring",
    });
  });

  it("names every missing required key", () => {
    expect(problems({})).toEqual([
      "rollgateService:image is required",
      "rollgateService:hostnames is required",
      "rollgateService:configPassphrase is required",
      "rollgateService:apiTokens is required",
      "rollgateService:databaseUrl is required (or set rollgateService:trialDatabase to true for a trial)",
    ]);
  });

  it("takes the trial database instead of a database URL, never both", () => {
    const { databaseUrl: _url, ...withoutDatabase } = minimal();

    expect(parseServiceConfig({ ...withoutDatabase, trialDatabase: "true" }).trialDatabase).toBe(true);
    expect(problems({ ...minimal(), trialDatabase: "true" })).toEqual([
      "rollgateService:databaseUrl must not be set when rollgateService:trialDatabase is true (the trial database provides it)",
    ]);
  });

  it("names every bad key with what it must be", () => {
    const found = problems({ ...minimal(), replicas: "0", namespace: "Bad_Name", previews: "maybe", managedNamespaces: "ok,Not OK" });

    expect(found).toEqual([
      expect.stringMatching(/^rollgateService:namespace must be a DNS label/),
      expect.stringMatching(/^rollgateService:replicas must be an integer from 1 to 20/),
      expect.stringMatching(/^rollgateService:managedNamespaces must be a list of DNS labels/),
      expect.stringMatching(/^rollgateService:previews must be true or false/),
    ]);
  });

  it("keeps credentials secret, even one given as plain text", async () => {
    const config = parseServiceConfig({ ...minimal(), githubToken: "ghp_plain" });

    expect(pulumi.Output.isInstance(config.secrets.githubToken)).toBe(true);
    expect(await pulumi.isSecret(config.secrets.githubToken as pulumi.Output<string>)).toBe(true);
    expect(await valueOf(config.secrets.githubToken)).toBe("ghp_plain");
  });
});
