import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import type { RollgateServiceArgs } from "../../../components/rollgateService";
import { at, installMocks, isSecretInput, MockedResources, named, ofType, types } from "../../setup/pulumiMocks";

const statefulSetType = "kubernetes:apps/v1:StatefulSet";

const args = (): RollgateServiceArgs => ({
  namespace: "rollgate-system",
  image: "ghcr.io/rollgate/rollgate:0.1.0",
  hostnames: ["rollgate.example.com"],
  gateway: { name: "edge", namespace: "gateway-system" },
  secrets: { configPassphrase: pulumi.secret("p"), apiTokens: pulumi.secret("{}") },
  trialDatabase: true,
});

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(overrides: Partial<RollgateServiceArgs> = {}) {
  const { RollgateService } = await import("../../../components/rollgateService");
  new RollgateService("rollgate", { ...args(), ...overrides });
  return mocks.settle();
}

describe("RollgateService trial database", () => {
  it("runs one PostgreSQL instance, labelled not for production", async () => {
    const resources = await render();

    const database = named(resources, "rollgate-database");
    expect(database.type).toBe(statefulSetType);
    expect(at(database.inputs, "spec.replicas")).toBe(1);
    expect(at(database.inputs, "metadata.labels")).toMatchObject({ "rollgate.dev/not-for-production": "true" });
    expect(at(database.inputs, "spec.template.metadata.labels")).toMatchObject({ "rollgate.dev/not-for-production": "true" });
  });

  it("runs PostgreSQL hardened like the service", async () => {
    const resources = await render();

    const containers = at(named(resources, "rollgate-database").inputs, "spec.template.spec.containers") as Record<string, unknown>[];
    expect(at(containers[0], "securityContext")).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("gives the service the trial database's URL as a secret", async () => {
    const resources = await render();

    const stringData = at(named(resources, "rollgate-secret").inputs, "stringData");
    expect(isSecretInput(stringData)).toBe(true);
    expect(at(stringData, "value.database-url")).toMatch(/^postgres:\/\/rollgate:.*@rollgate-postgres\.rollgate-system\.svc:5432\/rollgate$/);
  });

  it("admits only the Rollgate pods to PostgreSQL", async () => {
    const resources = await render();

    const policy = named(resources, "rollgate-database-network-policy");
    expect(at(policy.inputs, "spec.ingress")).toEqual([
      {
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "rollgate", "app.kubernetes.io/instance": "rollgate" } } }],
        ports: [{ port: 5432, protocol: "TCP" }],
      },
    ]);
  });

  it("creates no database without the trial switch", async () => {
    const resources = await render({ trialDatabase: false, secrets: { ...args().secrets, databaseUrl: pulumi.secret("postgres://db") } });

    expect(ofType(resources, statefulSetType)).toHaveLength(0);
    expect(ofType(resources, types.networkPolicy)).toHaveLength(1);
  });

  it("refuses a database URL together with the trial database", async () => {
    const { RollgateService } = await import("../../../components/rollgateService");

    const create = () => new RollgateService("rollgate", { ...args(), secrets: { ...args().secrets, databaseUrl: "postgres://db" } });

    expect(create).toThrow(/`secrets.databaseUrl` must not be set with `trialDatabase`/);
  });

  it("refuses to run without any database", async () => {
    const { RollgateService } = await import("../../../components/rollgateService");

    expect(() => new RollgateService("rollgate", { ...args(), trialDatabase: false })).toThrow(/`secrets.databaseUrl` is required/);
  });
});
