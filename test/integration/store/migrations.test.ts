import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Database } from "../../../automation/store/database";
import { loadMigrations, migrate } from "../../../automation/store/migrate";
import { createTestDatabase, type TestDatabase } from "../../support/database";

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function fresh(): Promise<TestDatabase> {
  const database = await createTestDatabase("rg_migrations");
  databases.push(database);
  return database;
}

const latest = loadMigrations().length;

describe("schema migrations", () => {
  it("bring an empty database to the latest version and then do nothing", async () => {
    const database = (await fresh()).open();

    expect(await migrate(database)).toEqual({ applied: Array.from({ length: latest }, (_, n) => n + 1), version: latest });
    expect(await migrate(database)).toEqual({ applied: [], version: latest });
  });

  it("bring every earlier version to the latest, keeping the records already there", async () => {
    for (let from = 1; from < latest; from++) {
      const database = (await fresh()).open();
      await migrate(database, { upTo: from });
      await database.query("INSERT INTO audit_records (id, at, environment, record) VALUES ('0000000000001-000000000001', now(), 'staging', '{}')");

      const report = await migrate(database);

      expect(report.version).toBe(latest);
      expect(report.applied[0]).toBe(from + 1);
      expect((await database.query("SELECT count(*)::int AS n FROM audit_records")).rows[0]).toEqual({ n: 1 });
    }
  });

  it("are applied once when three replicas start at once", async () => {
    const target = await fresh();
    const replicas = [1, 2, 3].map(() => new Database({ url: target.url, logger: pino({ level: "silent" }) }));
    try {
      const reports = await Promise.all(replicas.map((database) => migrate(database)));

      expect(reports.flatMap((report) => report.applied).sort()).toEqual(Array.from({ length: latest }, (_, n) => n + 1));
      expect(reports.every((report) => report.version === latest)).toBe(true);
      const { rows } = await replicas[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM rollgate_migrations");
      expect(rows[0]?.n).toBe(latest);
    } finally {
      await Promise.all(replicas.map((database) => database.close()));
    }
  });

  it("leave the schema as it was when a migration fails", async () => {
    const database = (await fresh()).open();
    const broken = [...loadMigrations(), { version: latest + 1, name: "broken", sql: "CREATE TABLE half_done (x int); SELECT no_such_function();" }];

    await expect(migrate(database, { migrations: broken })).rejects.toThrow(/no_such_function/);
    expect((await database.query("SELECT to_regclass('half_done') AS t, to_regclass('releases') AS r")).rows[0]).toEqual({ t: null, r: null });
  });
});
