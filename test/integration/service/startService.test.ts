import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvError } from "../../../automation/env";
import { startService, type RunningService } from "../../../automation/index";
import { LeaseStore } from "../../../automation/store/leases";
import { PgOperationStore } from "../../../automation/store/operationStore";
import { PgPreviewJournal } from "../../../automation/store/previewJournal";
import { FakeStackEngine } from "../../automation/support/fakeEngine";
import { createTestDatabase, type TestDatabase } from "../../support/database";

const silent = pino({ level: "silent" });

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("startService", () => {
  let stateDir: string;
  let service: RunningService | undefined;
  let engine: FakeStackEngine;
  let database: TestDatabase;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "rollgate-service-"));
    engine = new FakeStackEngine();
    database = await createTestDatabase("rg_service");
  });
  afterEach(async () => {
    await service?.shutdown("test over");
    service = undefined;
    await rm(stateDir, { recursive: true, force: true });
    await database.drop();
  });

  /** The service's preview journal and operations, read from its database. */
  const journal = () => new PgPreviewJournal(database.open());
  const operations = () => {
    const db = database.open();
    return new PgOperationStore(db, new LeaseStore(db, { holder: "test-reader", host: "test", ttlMs: 1000 }));
  };

  const start = (env: NodeJS.ProcessEnv = {}) =>
    startService({
      env: { ROLLGATE_PORT: "0", ROLLGATE_STATE_DIR: stateDir, ROLLGATE_DATABASE_URL: database.url, ...env },
      logger: silent,
      adapters: { engine, waitForDeployment: async () => undefined },
    });

  it("listens on 127.0.0.1, generates a local admin token and becomes ready after recovery", async () => {
    service = await start();
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();

    const ready = await waitFor(async () => {
      const response = await fetch(`${service?.url}/readyz`);
      return response.status === 200 ? response : undefined;
    });
    const list = await fetch(`${service.url}/api/v1/previews`, { headers: { authorization: `Bearer ${token}` } });

    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.status).toBe(200);
    expect(list.status).toBe(200);
  });

  it("keeps preview state in the database", async () => {
    service = await start();
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();

    await fetch(`${service.url}/api/v1/previews`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ pr: 3, image: "ghcr.io/acme/app:1" }),
    });
    await service.rollgate.scheduler.idle();

    expect((await journal().list()).map((record) => record.stack)).toEqual(["preview-pr-3"]);
  });

  it("on shutdown stops accepting and waits for the running operation", async () => {
    service = await start();
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();
    engine.holding = true;
    const created = await fetch(`${service.url}/api/v1/previews`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ pr: 3, image: "ghcr.io/acme/app:1" }),
    });
    const { operation } = (await created.json()) as { operation: { id: string } };
    await engine.waitForHeld(1);

    const shutdown = service.shutdown("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const refused = await fetch(`${service.url}/healthz`).then(
      () => "answered",
      () => "refused",
    );
    engine.release();
    await shutdown;

    expect(refused).toBe("refused");
    expect((await operations().get(operation.id))?.status).toBe("succeeded");
  });

  it("puts operations still running after the timeout back in the queue, where the restarted service takes them", async () => {
    service = await start({ ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS: "0" });
    await waitFor(async () => (service?.rollgate.lifecycle() === "serving" ? true : undefined));
    engine.holding = true;
    const accepted = await service.rollgate.previews.upsert({ pr: 4, image: "ghcr.io/acme/app:1", actor: "test" });
    await engine.waitForHeld(1);

    await service.shutdown("SIGTERM");
    const abandoned = await operations().get(accepted.operation.id);
    service = undefined;
    engine.holding = false;
    const restarted = await start();
    service = restarted;
    await waitFor(async () => (restarted.rollgate.lifecycle() === "serving" ? true : undefined));
    await restarted.rollgate.scheduler.idle();

    expect(abandoned).toMatchObject({ status: "queued", attempts: 1 });
    expect(await operations().get(accepted.operation.id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(engine.mutations()).toEqual(["up preview-pr-4", "up preview-pr-4"]);
    expect(engine.stacks.get("preview-pr-4")?.outputs.image).toBe("ghcr.io/acme/app:1");
  });

  it("refuses to start on bad configuration, naming the variable", async () => {
    const error = await start({ ROLLGATE_MAX_CONCURRENT_OPERATIONS: "zero" }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(EnvError);
    expect((error as Error).message).toContain("ROLLGATE_MAX_CONCURRENT_OPERATIONS");
  });

  it("refuses to start with an unreadable tokens file", async () => {
    await expect(start({ ROLLGATE_TOKENS_FILE: join(stateDir, "missing.json") })).rejects.toThrow(/missing\.json/);
  });
});
