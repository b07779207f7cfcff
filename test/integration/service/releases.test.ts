import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startService, type RunningService } from "../../../automation/index";
import { parseStartReleaseRequest, type Release } from "../../../automation/release/schemas";
import { createRelease } from "../../../automation/release/stateMachine";
import { migrate } from "../../../automation/store/migrate";
import { PgReleaseStore } from "../../../automation/store/releaseStore";
import { FakeCluster, FakeEngine, KEYS } from "../../automation/release/fakes";
import { createTestDatabase, type TestDatabase } from "../../support/database";

const silent = pino({ level: "silent" });
const STABLE = "registry.example/web:1.0.0";
const CANARY = "registry.example/web:1.1.0";

/** A release a crashed process left at step 1 (5%), holding its weight. */
function leftProgressing(): Release {
  const release = createRelease(parseStartReleaseRequest({ environment: "staging", image: CANARY }), {
    id: "rel-left",
    actor: "alice",
    previousImage: STABLE,
    at: new Date("2030-01-01T00:00:00.000Z"),
  });
  return { ...release, weight: 5 };
}

describe("the release controller in the service", () => {
  let stateDir: string;
  let service: RunningService | undefined;
  let engine: FakeEngine;
  let database: TestDatabase;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "rollgate-release-service-"));
    engine = new FakeEngine({ staging: { [KEYS.stableImage]: STABLE, [KEYS.canaryImage]: CANARY, [KEYS.canaryWeight]: "5" } });
    database = await createTestDatabase("rg_release_service");
  });
  afterEach(async () => {
    await service?.shutdown("test over");
    service = undefined;
    await rm(stateDir, { recursive: true, force: true });
    await database.drop();
  });

  const start = (adapters: { withProbe: boolean } = { withProbe: true }) =>
    startService({
      env: { ROLLGATE_PORT: "0", ROLLGATE_STATE_DIR: stateDir, ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS: "5", ROLLGATE_DATABASE_URL: database.url },
      logger: silent,
      adapters: {
        engine,
        waitForDeployment: async () => undefined,
        ...(adapters.withProbe ? { clusterProbe: new FakeCluster(engine) } : {}),
      },
    });

  async function ready(running: RunningService): Promise<void> {
    const deadline = Date.now() + 5000;
    while ((await fetch(`${running.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error("not ready");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it("recovers a release a crashed process left progressing, and leaves it resumable on shutdown", async () => {
    const db = database.open();
    await migrate(db);
    const store = new PgReleaseStore(db);
    await store.create(leftProgressing());

    service = await start();
    await ready(service);
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();
    const response = await fetch(`${service.url}/api/v1/releases/rel-left`, { headers: { authorization: `Bearer ${token}` } });
    await service.shutdown("test");
    service = undefined;

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: "rel-left", status: "progressing", step: 0, weight: 5 });
    expect(engine.recovered).toEqual(["staging"]);
    const stored = await store.get("rel-left");
    expect(stored).toMatchObject({ status: "progressing", step: 0, weight: 5, intent: null });
  });

  it("serves the release API with the local admin token", async () => {
    engine.stacks.set("staging", { [KEYS.stableImage]: STABLE });
    service = await start();
    await ready(service);
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();

    const started = await fetch(`${service.url}/api/v1/releases`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ environment: "staging", image: CANARY }),
    });

    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ environment: "staging", status: "progressing" });
  });

  it("answers 503 on the release API when the adapters have no cluster probe", async () => {
    service = await start({ withProbe: false });
    const token = (await readFile(join(stateDir, "token"), "utf8")).trim();

    const response = await fetch(`${service.url}/api/v1/releases`, { headers: { authorization: `Bearer ${token}` } });

    expect(response.status).toBe(503);
  });
});
