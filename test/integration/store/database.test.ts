import pg from "pg";
import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../../automation/store/database";
import { migratedDatabaseForFile } from "../../support/databaseForFile";

const file = migratedDatabaseForFile("rg_database");
const db = () => file.current().database;
const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));

/**
 * `pg_terminate_backend` sends the connection the same FATAL a shutting-down
 * server sends to all of them, so these tests take the path of a database
 * crash without stopping the server other tests use. An `error` event nobody
 * listens to would end the test process, which vitest reports as a failure.
 */
describe("Database", () => {
  it("rejects a transaction whose connection the server ends between statements, and stays usable", async () => {
    const outcome = db().transaction(async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await db().query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await sleep(300);
      await client.query("SELECT 1");
    });

    await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect((await db().query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("rejects a transaction whose connection the server ends during a statement", async () => {
    const outcome = db().transaction(async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const terminate = sleep(200).then(() => db().query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]));
      await Promise.all([client.query("SELECT pg_sleep(5)"), terminate]);
    });

    await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await sleep(300);
    expect((await db().query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("listens again after its listening connection is ended", async () => {
    const received: string[] = [];
    let connected = 0;
    const stop = db().listen("rg_database_test", (payload) => received.push(payload), () => (connected += 1));
    try {
      await expect.poll(() => connected, { timeout: 5000 }).toBe(1);
      await db().query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN rg_database_test'",
      );
      await expect.poll(() => connected, { timeout: 5000 }).toBe(2);

      await db().query("SELECT pg_notify('rg_database_test', 'after')");

      await expect.poll(() => received, { timeout: 5000 }).toEqual(["after"]);
    } finally {
      stop();
    }
  });

  it("hands a stopped listener's connection back to the pool once: the server ending it later is the pool's business", async () => {
    let connected = 0;
    const stop = db().listen("rg_database_stopped", () => undefined, () => (connected += 1));
    await expect.poll(() => connected, { timeout: 5000 }).toBe(1);
    // Outside the pool, so no query below runs on the connection it ends.
    const admin = new pg.Client({ connectionString: file.current().test.url });
    await admin.connect();
    try {
      const listening = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN rg_database_stopped'",
      );
      const pid = listening.rows[0]!.pid;
      stop();
      await expect
        .poll(async () => (await admin.query<{ query: string }>("SELECT query FROM pg_stat_activity WHERE pid = $1", [pid])).rows[0]?.query, { timeout: 5000 })
        .toBe("UNLISTEN rg_database_stopped");
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await sleep(300);
    } finally {
      await admin.end();
    }

    expect((await db().query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});
