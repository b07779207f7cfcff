/**
 * Versioned schema migrations, applied at start. The files in `migrations/`
 * (`NNNN_name.sql`) run in version order, all pending ones in one
 * transaction under an advisory lock: N replicas starting at once apply each
 * migration exactly once, and a failing migration leaves the schema as it
 * was. A database already migrated further (a newer replica rolled out
 * first) is left as it is.
 *
 * Why not node-pg-migrate: its current release is an ES module whose types
 * the project's CommonJS resolution (which `pulumi up`'s TypeScript loader
 * needs) cannot reach; the part Rollgate needs is the thirty lines below.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "./database";

export const MIGRATIONS_DIR = join(__dirname, "migrations");

/** Any constant: the key of the advisory lock that serializes migrations across replicas. */
const MIGRATION_LOCK_KEY = 7_411_902_001;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationReport {
  /** Versions this call applied (empty when another replica had already done it). */
  readonly applied: readonly number[];
  /** The schema version afterwards. */
  readonly version: number;
}

/** The migration files of `directory`, in version order. */
export function loadMigrations(directory = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(directory)
    .map((file) => ({ file, match: /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2] ?? file, sql: readFileSync(join(directory, file), "utf8") }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration versions must be 1, 2, 3, ... without gaps; found ${migration.version} at position ${index + 1}`);
  });
  return migrations;
}

/** Applies the pending migrations (up to `upTo`, for tests of an older schema). */
export async function migrate(database: Database, options: { readonly migrations?: readonly Migration[]; readonly upTo?: number } = {}): Promise<MigrationReport> {
  const migrations = (options.migrations ?? loadMigrations()).filter((migration) => options.upTo === undefined || migration.version <= options.upTo);
  return database.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS rollgate_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number }>("SELECT coalesce(max(version), 0) AS version FROM rollgate_migrations");
    const current = rows[0]?.version ?? 0;
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO rollgate_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { applied, version: Math.max(current, ...applied) };
  });
}
