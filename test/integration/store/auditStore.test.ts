import pino from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../automation/deps";
import { AuditLog } from "../../../automation/services/audit/auditLog";
import { auditId, toAuditRecord, type AuditEntry } from "../../../automation/services/audit/record";
import { PgAuditStore } from "../../../automation/store/auditStore";
import { migratedDatabaseForFile } from "../../support/databaseForFile";

const file = migratedDatabaseForFile("rg_audit");
const db = () => file.current().database;
const testDatabase = () => file.current().test;
beforeEach(async () => {
  await db().query("TRUNCATE audit_records");
});

function entry(environment: string, at: string, actor = "alice"): AuditEntry {
  return { at: new Date(at), actor, action: "environment.update", cause: { kind: "release" }, result: "succeeded", subject: { environment } };
}

function record(environment: string, at: string, unique: string) {
  return toAuditRecord(entry(environment, at), auditId(new Date(at), unique), new Date(at));
}

describe("PgAuditStore", () => {
  it("pages records newest first with a cursor, filtered by environment and time", async () => {
    const store = new PgAuditStore(db());
    const records = [
      record("staging", "2030-01-01T00:00:01Z", "000000000001"),
      record("production", "2030-01-01T00:00:02Z", "000000000002"),
      record("staging", "2030-01-01T00:00:03Z", "000000000003"),
      record("staging", "2030-01-01T00:00:04Z", "000000000004"),
    ];
    for (const r of records) await store.append(r);

    const first = await store.page({ environment: "staging", limit: 2 });
    const second = await store.page({ environment: "staging", limit: 2, cursor: first.nextCursor! });
    const since = await store.page({ since: new Date("2030-01-01T00:00:02Z") });

    expect(first.records.map((r) => r.id)).toEqual([records[3]!.id, records[2]!.id]);
    expect(second).toEqual({ records: [records[0]], nextCursor: null });
    expect(since.records.map((r) => r.subject.environment)).toEqual(["staging", "staging", "production"]);
  });

  it("reads back exactly what was written", async () => {
    const store = new PgAuditStore(db());
    const written = record("preview", "2030-02-01T00:00:00Z", "00000000000a");

    await store.append(written);

    expect((await store.page({})).records).toEqual([written]);
  });

  it("keeps every record of two replicas appending at once", async () => {
    const replicas = [testDatabase().open(), testDatabase().open()].map(
      (db, n) => new AuditLog({ store: new PgAuditStore(db), clock: systemClock, logger: pino({ level: "silent" }), random: () => `${n}0000000`.slice(0, 8) }),
    );

    await Promise.all(replicas.flatMap((log) => Array.from({ length: 25 }, (_, i) => log.record(entry("staging", new Date(Date.UTC(2030, 2, 1, 0, 0, i)).toISOString())))));

    const page = await new PgAuditStore(db()).page({ limit: 500 });
    expect(page.records).toHaveLength(50);
    expect(new Set(page.records.map((r) => r.id)).size).toBe(50);
  });

  it("refuses a record that does not match the schema and writes nothing", async () => {
    const store = new PgAuditStore(db());

    await expect(store.append({ ...record("staging", "2030-01-01T00:00:00Z", "000000000001"), actor: "" })).rejects.toThrow();
    expect((await store.page({})).records).toEqual([]);
  });
});
