/**
 * Release controllers of several replicas on one real PostgreSQL: leases
 * decide who drives a release, commands reach the driver through the queue,
 * and a replica that stops renewing its leases loses its releases to
 * another. Each replica has its own connection pool, lease keeper and
 * controller; the engine and cluster are fakes shared by all (one stack).
 */
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeaseKeeper } from "../../../automation/coordination/leaseKeeper";
import { KeptReleaseLeases } from "../../../automation/coordination/releaseLeases";
import { systemClock } from "../../../automation/deps";
import { ReleaseController } from "../../../automation/release/controller";
import { ReleaseConflictError } from "../../../automation/release/errors";
import { parseStartReleaseRequest, type Release, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { ReleaseSupervisor } from "../../../automation/release/supervisor";
import type { Database } from "../../../automation/store/database";
import { LeaseStore } from "../../../automation/store/leases";
import { migrate } from "../../../automation/store/migrate";
import { PgReleaseCommands } from "../../../automation/store/releaseCommands";
import { PgReleaseStore } from "../../../automation/store/releaseStore";
import { FakeCluster, FakeEngine, FakeMetrics, KEYS, scriptTraffic } from "../../automation/release/fakes";
import { createTestDatabase, type TestDatabase } from "../../support/database";

const silent = pino({ level: "silent" });
const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 60 };
const TTL_MS = 2000;
const POLL_MS = 300;

interface Replica {
  readonly name: string;
  readonly database: Database;
  readonly controller: ReleaseController;
  readonly supervisor: ReleaseSupervisor;
  readonly keeper: LeaseKeeper;
}

let testDatabase: TestDatabase;
let engine: FakeEngine;
let cluster: FakeCluster;
const replicas: Replica[] = [];

beforeEach(async () => {
  testDatabase = await createTestDatabase("rg_replicas");
  await migrate(testDatabase.open());
  engine = new FakeEngine();
  cluster = new FakeCluster(engine);
});

afterEach(async () => {
  for (const replica of replicas.splice(0)) {
    replica.supervisor.stop();
    await replica.controller.close().catch(() => undefined);
  }
  await testDatabase.drop();
});

async function replica(name: string): Promise<Replica> {
  const database = testDatabase.open();
  const keeper = new LeaseKeeper(new LeaseStore(database, { holder: name, host: "test-host", ttlMs: TTL_MS }), { logger: silent });
  const commands = new PgReleaseCommands(database);
  const metrics = scriptTraffic(new FakeMetrics(), scope);
  const controller = new ReleaseController({
    engine,
    cluster,
    metrics,
    store: new PgReleaseStore(database),
    clock: systemClock,
    logger: silent,
    settings: { pollIntervalSeconds: 1, progressDeadlineSeconds: 60 },
    coordination: { leases: new KeptReleaseLeases(keeper), commands },
  });
  const supervisor = new ReleaseSupervisor(controller, commands, { intervalMs: POLL_MS, logger: silent });
  await supervisor.start();
  const started = { name, database, controller, supervisor, keeper };
  replicas.push(started);
  return started;
}

function request(input: Partial<StartReleaseRequestInput> = {}) {
  return parseStartReleaseRequest({ environment: "staging", image: CANARY, analysis: { windowSeconds: 60 }, ...input });
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

const read = (from: Replica, id: string) => new PgReleaseStore(from.database).get(id);
const untilStatus = (from: Replica, id: string, statuses: readonly string[], timeoutMs?: number) =>
  eventually(async () => {
    const release = await read(from, id);
    return release && statuses.includes(release.status) ? release : undefined;
  }, timeoutMs);

/** How many times the canary weight was set to each value, in order. */
function weightsSet(): number[] {
  return engine.ups.flatMap((call) => (call.config[KEYS.canaryWeight] === undefined ? [] : [Number(call.config[KEYS.canaryWeight])]));
}

describe("release controllers of several replicas", () => {
  it("let exactly one of two replicas start a release in one environment at once", async () => {
    const [a, b] = [await replica("a"), await replica("b")];

    const results = await Promise.allSettled([a.controller.start(request(), "alice"), b.controller.start(request(), "bob")]);

    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({ reason: expect.any(ReleaseConflictError) });
  });

  it("apply a command sent to the replica that does not drive the release, by the driver alone", async () => {
    const [a, b] = [await replica("a"), await replica("b")];
    const started = await a.controller.start(request({ steps: [{ weight: 50, pauseSeconds: 60 }] }), "alice");
    await eventually(async () => ((await read(a, started.id))?.weight === 50 ? true : undefined));

    const answered = await b.controller.abort(started.id, "bob", "stop it");
    const final = await untilStatus(a, started.id, ["aborted", "rolledBack", "failed", "succeeded"]);

    // Answered once the driver applied it: the rollback is under way or done.
    expect(answered.intent?.action ?? answered.status).toMatch(/^(abort|aborted)$/);
    expect(final).toMatchObject({ status: "aborted", reason: "stop it" });
    expect(b.controller.driven()).toEqual([]);
    // One driver: the weight went 50 → 0 once, and the canary was removed once.
    expect(weightsSet()).toEqual([0, 50, 0]);
    expect(engine.ups.filter((call) => call.config[KEYS.canaryImage] === "")).toHaveLength(1);
  });

  it("refuse at once a command the release does not allow, wherever it is sent", async () => {
    const [a, b] = [await replica("a"), await replica("b")];
    const started = await a.controller.start(request({ steps: [{ weight: 50, pauseSeconds: 60 }] }), "alice");
    await b.controller.promote(started.id, "bob");
    await untilStatus(b, started.id, ["succeeded"]);

    await expect(b.controller.abort(started.id, "carol")).rejects.toThrow(/cannot abort: the release has finished/);
    expect(engine.ups.filter((call) => call.config[KEYS.stableImage] === CANARY)).toHaveLength(1);
  });

  it("hand a release over when its replica stops renewing: another takes it within the TTL and a poll, and finishes it", async () => {
    const a = await replica("a");
    const started = await a.controller.start(request({ steps: [{ weight: 25, pauseSeconds: 3 }] }), "alice");
    await eventually(async () => ((await read(a, started.id))?.weight === 25 ? true : undefined));
    const b = await replica("b");
    expect(b.controller.driven()).toEqual([]);

    // A's database goes away: its renewals fail, it stops within the TTL, and its lease expires.
    a.supervisor.stop();
    const lostAt = Date.now();
    await a.database.close();
    const taken = await eventually(async () => (b.controller.driven().includes(started.id) ? Date.now() : undefined));
    const final: Release = await untilStatus(b, started.id, ["succeeded", "rolledBack", "failed", "aborted"], 60_000);

    expect(taken - lostAt).toBeLessThanOrEqual(TTL_MS + POLL_MS + 1000);
    expect(a.controller.driven()).toEqual([]);
    expect(final.status).toBe("succeeded");
    expect(engine.configOf("staging")[KEYS.stableImage]).toBe(CANARY);
  });

  it("leave a paused release held by its driver, and resume it from any replica", async () => {
    const [a, b] = [await replica("a"), await replica("b")];
    const started = await a.controller.start(request({ steps: [{ weight: 20, pauseSeconds: 60 }, { weight: 100, pauseSeconds: 0 }] }), "alice");
    await b.controller.pause(started.id, "bob");
    await eventually(async () => ((await read(a, started.id))?.weight === 20 ? true : undefined));
    await b.controller.promote(started.id, "carol");

    const final = await untilStatus(a, started.id, ["succeeded", "rolledBack", "failed", "aborted"]);

    expect(final.status).toBe("succeeded");
    expect(a.controller.driven()).toEqual([]);
    expect(b.controller.driven()).toEqual([]);
  });
});
