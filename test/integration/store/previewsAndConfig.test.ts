import { describe, expect, it } from "vitest";
import { LeaseLostError, LeaseStore } from "../../../automation/store/leases";
import { PgPreviewJournal } from "../../../automation/store/previewJournal";
import { PgStackConfigStore } from "../../../automation/store/stackConfigStore";
import { PgDeliveryLog } from "../../../automation/store/webhookDeliveries";
import type { PreviewRecord } from "../../../automation/services/previews/journal";
import { migratedDatabaseForFile } from "../../support/databaseForFile";

const file = migratedDatabaseForFile("rg_journal");
const db = () => file.current().database;
const testDatabase = () => file.current().test;

const record = (pr: number, desired: "present" | "absent" = "present"): PreviewRecord => ({
  pr,
  stack: `preview-pr-${pr}`,
  desired,
  spec: { image: `ghcr.io/acme/app:pr-${pr}`, ttlHours: 24 },
  createdAt: "2030-01-01T00:00:00.000Z",
  actor: "alice",
  lastOperationId: "op-1",
});

describe("PgPreviewJournal", () => {
  it("puts, replaces, lists by PR and removes records", async () => {
    const journal = new PgPreviewJournal(db());
    await journal.put(record(12));
    await journal.put(record(3));
    await journal.put(record(12, "absent"));

    expect((await journal.list()).map((r) => [r.pr, r.desired])).toEqual([[3, "present"], [12, "absent"]]);
    await journal.remove("preview-pr-3");
    expect(await journal.get("preview-pr-3")).toBeUndefined();
    expect(await journal.get("preview-pr-12")).toEqual(record(12, "absent"));
  });

  it("keeps an update's outputs with the record, for another replica's reads", async () => {
    const [writer, reader] = [new PgPreviewJournal(db()), new PgPreviewJournal(db())];
    await writer.put(record(7, "absent")); // absent: the counting tests below see only their own present records
    const outputs = { operationId: "op-1", values: { pr: 7, url: "http://pr-7.preview.localhost", image: "ghcr.io/acme/app:pr-7", namespace: "pr-7-ns" } };

    await writer.submit("preview-pr-7", ({ record: current }) => ({ result: undefined, ...(current ? { record: { ...current, outputs } } : {}) }));

    expect(await reader.get("preview-pr-7")).toEqual({ ...record(7, "absent"), outputs });
    await expect(writer.put({ ...record(8), outputs: { operationId: "op-2", values: { pr: -1 } } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["outputs", "values", "pr"] })],
    });
  });
});

describe("PgPreviewJournal preview counts", () => {
  it("lets exactly one of two replicas' simultaneous creates take the last place under a limit", async () => {
    const [a, b] = [new PgPreviewJournal(db()), new PgPreviewJournal(db())];
    await a.put({ ...record(1), repository: "acme/app" });
    const limit = 2;
    const create = (journal: PgPreviewJournal, pr: number) =>
      journal.submit(
        `preview-pr-${pr}`,
        ({ present }) => {
          if ((present?.total ?? 0) >= limit) throw new Error(`limit reached for PR ${pr}`);
          return { result: pr, record: { ...record(pr), repository: "acme/app" } };
        },
        { countPresent: { repository: "acme/app" } },
      );

    const outcomes = await Promise.allSettled([create(a, 2), create(b, 3), create(a, 4), create(b, 5)]);

    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect((await a.list()).filter((entry) => entry.desired === "present")).toHaveLength(limit);
  });

  it("counts other stacks' present previews, in all and of the repository", async () => {
    const journal = new PgPreviewJournal(db());
    await journal.put({ ...record(21), repository: "acme/app" });
    await journal.put({ ...record(22), repository: "acme/web" });
    await journal.put({ ...record(23, "absent"), repository: "acme/app" });
    const others = (await journal.list()).filter((entry) => entry.desired === "present" && entry.stack !== "preview-pr-21");

    const seen = await journal.submit("preview-pr-21", ({ present }) => ({ result: present }), { countPresent: { repository: "acme/app" } });

    expect(seen).toEqual({ total: others.length, inRepository: others.filter((entry) => entry.repository === "acme/app").length });
    expect(seen!.total).toBeGreaterThan(seen!.inRepository);
  });
});

describe("PgStackConfigStore", () => {
  it("versions a stack's settings file and refuses writes under a lease a newer holder took", async () => {
    const configs = new PgStackConfigStore(db());
    const [a, b] = ["a", "b"].map((holder) => new LeaseStore(db(), { holder, host: "test", ttlMs: 100 }));
    const first = await a!.tryAcquire("stack:staging");

    expect(await configs.save("staging", "config:\n  rollgate:canaryWeight: '5'\n", first)).toMatchObject({ version: 1 });
    await new Promise((wait) => setTimeout(wait, 150));
    const second = await b!.tryAcquire("stack:staging");
    expect(await configs.save("staging", "config:\n  rollgate:canaryWeight: '25'\n", second)).toMatchObject({ version: 2 });

    await expect(configs.save("staging", "config:\n  rollgate:canaryWeight: '50'\n", first)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await configs.load("staging")).toEqual({ content: "config:\n  rollgate:canaryWeight: '25'\n", version: 2 });
    await configs.remove("staging", second);
    expect(await configs.load("staging")).toBeUndefined();
  });
});

describe("PgDeliveryLog", () => {
  it("remembers a delivery once across replicas, forgets one on request and drops those past the retention", async () => {
    const [a, b] = [new PgDeliveryLog(testDatabase().open()), new PgDeliveryLog(testDatabase().open())];

    const first = await Promise.all([a.remember("d-1", "pull_request"), b.remember("d-1", "pull_request")]);
    await a.forget("d-1");
    const again = await b.remember("d-1", "pull_request");
    await db().query("UPDATE webhook_deliveries SET received_at = now() - interval '8 days' WHERE id = 'd-1'");
    await a.remember("d-2", "pull_request");

    expect(first.sort()).toEqual([false, true]);
    expect(again).toBe(true);
    expect((await db().query("SELECT id FROM webhook_deliveries ORDER BY id")).rows).toEqual([{ id: "d-2" }]);
  });
});
