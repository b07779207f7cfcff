/**
 * `ReleaseStore` in PostgreSQL. The record is stored whole (JSON) beside the
 * columns it is selected by; "one active release per environment" is the
 * unique partial index `releases_one_active_per_environment`, so two replicas
 * starting a release in one environment at once get one row and one
 * `ReleaseConflictError`. A save made under a lease carries its fencing token
 * and is refused (`LeaseLostError`) once a newer holder exists.
 */
import { ReleaseConflictError } from "../release/errors";
import { releaseSchema, type Release } from "../release/schemas";
import type { ReleaseStore } from "../release/store";
import { constraintOf, sqlStateOf, type Database } from "./database";
import { assertCurrent, LeaseLostError, type LeaseRef } from "./leases";

const ACTIVE_INDEX = "releases_one_active_per_environment";

export class PgReleaseStore implements ReleaseStore {
  constructor(private readonly database: Database) {}

  async create(release: Release, lease?: LeaseRef): Promise<void> {
    const record = releaseSchema.parse(release);
    try {
      await this.database.query(
        `INSERT INTO releases (id, environment, status, started_at, finished_at, record, fence)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [record.id, record.environment, record.status, record.startedAt, record.finishedAt, JSON.stringify(record), lease?.token ?? 0],
      );
    } catch (error) {
      if (sqlStateOf(error) === "23505" && constraintOf(error) === ACTIVE_INDEX) {
        throw new ReleaseConflictError(record.environment, (await this.active(record.environment))?.id);
      }
      throw error;
    }
  }

  async save(release: Release, lease?: LeaseRef): Promise<void> {
    const record = releaseSchema.parse(release);
    await this.database.transaction(async (client) => {
      if (lease) await assertCurrent(client, lease);
      const { rowCount } = await client.query(
        `UPDATE releases SET status = $2, finished_at = $3, record = $4, fence = $5, updated_at = now()
          WHERE id = $1 AND fence <= $5`,
        [record.id, record.status, record.finishedAt, JSON.stringify(record), lease?.token ?? 0],
      );
      if (rowCount === 0) {
        const exists = await client.query("SELECT fence FROM releases WHERE id = $1", [record.id]);
        if (exists.rowCount === 0) throw new Error(`release ${record.id} does not exist; create it first`);
        throw new LeaseLostError(lease?.name ?? `release:${record.id}`, "a newer holder has written the release");
      }
    });
  }

  async get(id: string): Promise<Release | undefined> {
    const { rows } = await this.database.query<{ record: unknown }>("SELECT record FROM releases WHERE id = $1", [id]);
    return rows[0] ? releaseSchema.parse(rows[0].record) : undefined;
  }

  async list(filter: { readonly environment?: string } = {}): Promise<Release[]> {
    const { rows } = await this.database.query<{ record: unknown }>(
      "SELECT record FROM releases WHERE ($1::text IS NULL OR environment = $1) ORDER BY started_at, id",
      [filter.environment ?? null],
    );
    return rows.map((row) => releaseSchema.parse(row.record));
  }

  async listActive(): Promise<Release[]> {
    const { rows } = await this.database.query<{ record: unknown }>(
      "SELECT record FROM releases WHERE status IN ('awaitingApproval', 'progressing', 'paused') ORDER BY started_at, id",
    );
    return rows.map((row) => releaseSchema.parse(row.record));
  }

  async active(environment: string): Promise<Release | undefined> {
    const { rows } = await this.database.query<{ record: unknown }>(
      "SELECT record FROM releases WHERE environment = $1 AND status IN ('awaitingApproval', 'progressing', 'paused')",
      [environment],
    );
    return rows[0] ? releaseSchema.parse(rows[0].record) : undefined;
  }
}
