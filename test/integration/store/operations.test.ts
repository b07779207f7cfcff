import { beforeEach, describe, expect, it } from "vitest";
import type { NewOperation } from "../../../automation/services/operations/types";
import { LeaseStore } from "../../../automation/store/leases";
import { PgOperationStore } from "../../../automation/store/operationStore";
import { PgPreviewJournal } from "../../../automation/store/previewJournal";
import { migratedDatabaseForFile } from "../../support/databaseForFile";

const file = migratedDatabaseForFile("rg_operations");
const db = () => file.current().database;
const testDatabase = () => file.current().test;
beforeEach(async () => {
  await db().query("TRUNCATE operations, operation_entries, preview_journal, leases CASCADE");
});

/** One replica's view: its own pool and holder name. */
function replica(holder: string, ttlMs = 60_000): { store: PgOperationStore; journal: PgPreviewJournal; leases: LeaseStore } {
  const db = testDatabase().open();
  const leases = new LeaseStore(db, { holder, host: `${holder}.local`, ttlMs });
  return { store: new PgOperationStore(db, leases), journal: new PgPreviewJournal(db), leases };
}

let ids = 0;
function operation(stack: string, overrides: Partial<NewOperation> = {}): NewOperation {
  ids += 1;
  return { id: `op-${ids}`, kind: "up", stack, actor: "alice", cause: "api", subject: { image: "img:1" }, desiredKey: "k", queuedAt: new Date(), payload: { n: ids }, ...overrides };
}

async function enqueue(journal: PgPreviewJournal, next: NewOperation): Promise<void> {
  await journal.submit(next.stack, () => ({ result: undefined, operation: next }));
}

describe("PgOperationStore", () => {
  it("hands the oldest operation of a stack to one claimer, its payload and the stack's lease with it", async () => {
    const a = replica("a");
    const first = operation("preview-pr-1");
    await enqueue(a.journal, first);
    await enqueue(a.journal, operation("preview-pr-1"));

    const claimed = await a.store.claim("a", new Date());

    expect(claimed?.operation).toMatchObject({ id: first.id, status: "running", attempts: 1 });
    expect(claimed?.payload).toEqual(first.payload);
    expect(claimed?.lease).toMatchObject({ name: "stack:preview-pr-1", holder: "a" });
    // The second waits for the first, whoever asks.
    expect(await replica("b").store.claim("b", new Date())).toBeUndefined();
  });

  it("gives each of many replicas claiming at once a different stack, never two of one stack", async () => {
    const setup = replica("setup");
    for (const stack of ["s1", "s1", "s2", "s3", "s3", "s4"]) await enqueue(setup.journal, operation(stack));
    const replicas = ["a", "b", "c", "d", "e", "f"].map((holder) => replica(holder));

    const claims = await Promise.all(replicas.map((r, n) => r.store.claim(["a", "b", "c", "d", "e", "f"][n]!, new Date())));

    const stacks = claims.flatMap((claim) => (claim ? [claim.operation.stack] : []));
    expect(stacks.sort()).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("records an outcome only from the run that still owns the operation", async () => {
    const a = replica("a", 200);
    await enqueue(a.journal, operation("s1"));
    const mine = await a.store.claim("a", new Date());
    await new Promise((wait) => setTimeout(wait, 300));

    // A's lease expired: B claims the operation again and finishes it.
    const b = replica("b");
    const taken = await b.store.claim("b", new Date());
    expect(taken?.operation).toMatchObject({ id: mine?.operation.id, attempts: 2 });
    expect(await a.store.finish(mine!.operation.id, { status: "failed", finishedAt: new Date(), error: "late" }, mine!.lease)).toBe(false);
    expect(await b.store.finish(taken!.operation.id, { status: "succeeded", finishedAt: new Date() }, taken!.lease)).toBe(true);
    expect(await b.store.get(taken!.operation.id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("drops finished operations past the retention with their entries when another finishes, keeping each stack's newest", async () => {
    const a = replica("a");
    for (const next of [operation("old-1", { id: "old-a" }), operation("old-1", { id: "old-b" }), operation("old-2", { id: "old-only" })]) await enqueue(a.journal, next);
    await a.store.append("old-a", 1, [{ kind: "log", line: "long ago" }]);
    await db().query("UPDATE operations SET status = 'succeeded', finished_at = now() - interval '40 days' WHERE id LIKE 'old-%'");
    await enqueue(a.journal, operation("s9"));
    const claimed = await a.store.claim("a", new Date());

    await a.store.finish(claimed!.operation.id, { status: "succeeded", finishedAt: new Date() }, claimed!.lease);

    expect(await a.store.get("old-a")).toBeUndefined();
    expect(await a.store.entries("old-a")).toEqual([]);
    expect(await a.store.get("old-b")).toMatchObject({ status: "succeeded" });
    expect(await a.store.get("old-only")).toMatchObject({ status: "succeeded" });
  });

  it("leaves a running operation alone while its replica keeps its lease", async () => {
    const a = replica("a", 60_000);
    await enqueue(a.journal, operation("s1"));
    await a.store.claim("a", new Date());

    expect(await replica("b").store.claim("b", new Date())).toBeUndefined();
  });

  it("puts a requeued operation first in line again", async () => {
    const a = replica("a");
    const first = operation("s1");
    await enqueue(a.journal, first);
    await enqueue(a.journal, operation("s1"));
    const claimed = await a.store.claim("a", new Date());
    await a.store.requeue(first.id, claimed!.lease);
    await a.leases.release(claimed!.lease);

    expect((await replica("b").store.claim("b", new Date()))?.operation).toMatchObject({ id: first.id, attempts: 2 });
  });

  it("keeps entries in order and serves them after a given id and by kind", async () => {
    const a = replica("a");
    await enqueue(a.journal, operation("s1"));
    const claimed = await a.store.claim("a", new Date());
    const id = claimed!.operation.id;
    await a.store.append(id, 1, [
      { kind: "event", event: { sequence: 1, timestamp: "t1", type: "preludeEvent" } },
      { kind: "log", line: "Updating (s1)" },
      { kind: "event", event: { sequence: 2, timestamp: "t2", type: "summaryEvent" } },
    ]);

    const all = await a.store.entries(id);
    const events = await a.store.entries(id, { kind: "event", after: all[0]!.id });

    expect(all.map((entry) => entry.kind)).toEqual(["event", "log", "event"]);
    expect(events).toEqual([{ id: all[2]!.id, kind: "event", event: { sequence: 2, timestamp: "t2", type: "summaryEvent" } }]);
  });
});

describe("PgPreviewJournal.submit", () => {
  it("decides concurrent requests for one stack one after another, so identical ones queue one operation", async () => {
    const replicas = ["a", "b", "c"].map((holder) => replica(holder));

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        replicas[n % 3]!.journal.submit("preview-pr-9", ({ active }) =>
          active ? { result: `reused ${active.id}` } : { result: "queued", operation: operation("preview-pr-9") },
        ),
      ),
    );

    expect(results.filter((result) => result === "queued")).toHaveLength(1);
    expect((await replicas[0]!.store.unfinished()).map((op) => op.stack)).toEqual(["preview-pr-9"]);
  });

  it("writes the operation and the record together, or neither when the decision throws", async () => {
    const a = replica("a");
    const record = { pr: 5, stack: "preview-pr-5", desired: "present" as const, actor: "alice", lastOperationId: "op-x" };

    await expect(
      a.journal.submit("preview-pr-5", () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    await a.journal.submit("preview-pr-5", () => ({ result: undefined, operation: operation("preview-pr-5", { id: "op-x" }), record }));

    expect(await a.journal.get("preview-pr-5")).toEqual(record);
    expect((await a.store.get("op-x"))?.status).toBe("queued");
  });
});
