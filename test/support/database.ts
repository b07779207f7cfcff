/**
 * A database of its own for each test: created on the PostgreSQL server that
 * `ROLLGATE_DATABASE_URL` points at (the local one `npm test` starts) and
 * dropped afterwards, so tests see neither each other's records nor each
 * other's Pulumi stacks.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { Database } from "../../automation/store/database";
import { migrate } from "../../automation/store/migrate";
import { PgStackConfigStore } from "../../automation/store/stackConfigStore";

export function serverUrl(): string {
  const url = process.env.ROLLGATE_DATABASE_URL;
  if (!url) {
    throw new Error(
      "ROLLGATE_DATABASE_URL is not set: run the tests with `npm test` or `npm run test:integration`, which start the local PostgreSQL and source scripts/env.sh.",
    );
  }
  return url;
}

/** `url` with another database name. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A `Database` on it (closed by `drop`). */
  open(): Database;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = "rg_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl(), name);
  const opened: Database[] = [];
  return {
    name,
    url,
    open() {
      const database = new Database({ url, logger: pino({ level: "silent" }) });
      opened.push(database);
      return database;
    },
    async drop() {
      await Promise.all(opened.map((database) => database.close().catch(() => undefined)));
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * The database of a service state directory: one per directory, so a
 * restarted service (same directory) finds its records again.
 */
export function stateDatabaseName(stateDir: string): string {
  return `rg_state_${createHash("sha256").update(stateDir).digest("hex").slice(0, 20)}`;
}

export function stateDatabaseUrl(stateDir: string): string {
  return withDatabase(serverUrl(), stateDatabaseName(stateDir));
}

/** Creates the state directory's database unless it exists; resolves with its URL. */
export async function ensureStateDatabase(stateDir: string): Promise<string> {
  const name = stateDatabaseName(stateDir);
  await admin(async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`).catch((error: unknown) => {
      // Another process created it in the meantime.
      if ((error as { code?: string }).code !== "42P04") throw error;
    });
  });
  return stateDatabaseUrl(stateDir);
}

/** Drops the state directory's database (synchronously, for clean-ups that cannot wait). */
export function dropStateDatabaseSync(stateDir: string): void {
  execFileSync("psql", [serverUrl(), "-qAtc", `DROP DATABASE IF EXISTS ${stateDatabaseName(stateDir)} WITH (FORCE)`], { stdio: "pipe" });
}

/**
 * The stack config store of a state directory's database (migrated), for
 * tests that deploy a stack before the service that will own it starts.
 */
export async function stateStackConfigStore(stateDir: string): Promise<{ readonly store: PgStackConfigStore; close(): Promise<void> }> {
  const database = new Database({ url: await ensureStateDatabase(stateDir), logger: pino({ level: "silent" }) });
  await migrate(database);
  return { store: new PgStackConfigStore(database), close: () => database.close() };
}
