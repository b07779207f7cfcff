/**
 * Two replicas' engines on one real backend and one real PostgreSQL (for the
 * stack leases): a stack that replica B destroyed (and removed) after
 * replica A last used it is created again by A's next update, instead of A
 * trusting its earlier selection and failing with "no stack named … found".
 * The program has no resources: this is about the stack, not the cluster.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseKeeper } from "../../../automation/coordination/leaseKeeper";
import { LeasedStackGuard } from "../../../automation/coordination/stackLeases";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { LeaseStore } from "../../../automation/store/leases";
import { migrate } from "../../../automation/store/migrate";
import { createTestDatabase, type TestDatabase } from "../../support/database";

async function program(): Promise<Record<string, unknown>> {
  return { value: new pulumi.Config("it").require("value") };
}

describe("engines of two replicas sharing a stack", () => {
  let testDatabase: TestDatabase;
  const backendDir = mkdtempSync(join(tmpdir(), "rg-replica-stacks-"));
  const savedBackend = process.env.PULUMI_BACKEND_URL;
  const stack = `it-replicas-${process.pid}`;

  beforeAll(async () => {
    process.env.PULUMI_BACKEND_URL = `file://${backendDir}`;
    testDatabase = await createTestDatabase("rg_replica_stacks");
    await migrate(testDatabase.open());
  });

  afterAll(async () => {
    if (savedBackend === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = savedBackend;
    await testDatabase.drop();
  });

  function replica(name: string): LocalStackEngine {
    const keeper = new LeaseKeeper(new LeaseStore(testDatabase.open(), { holder: name, host: "one-host", ttlMs: 10_000 }), { logger: pino({ level: "silent" }) });
    return new LocalStackEngine({
      program,
      projectName: "rollgate-it",
      workspacesDir: mkdtempSync(join(tmpdir(), `rg-ws-${name}-`)),
      guard: new LeasedStackGuard(keeper),
    });
  }

  it("creates the stack again when another replica destroyed it since this one last updated it", async () => {
    const [a, b] = [replica("a"), replica("b")];

    expect((await a.up(stack, { "it:value": { value: "one" } })).outputs).toEqual({ value: "one" });
    await b.destroy(stack);
    const again = await a.up(stack, { "it:value": { value: "two" } });

    expect(again.outputs).toEqual({ value: "two" });
    expect((await b.outputs(stack))).toEqual({ value: "two" });
    await a.destroy(stack);
  });
});
