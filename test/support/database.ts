/**
 * A database of its own for each test: created on the PostgreSQL server that
 * `ROLLGATE_DATABASE_URL` points at (the local one `npm test` starts) and
 * dropped afterwards, so tests see neither each other's records nor each
 * other's Pulumi stacks.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { Database } from "../../automation/store/database";

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
