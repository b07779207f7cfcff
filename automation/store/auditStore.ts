/**
 * `AuditStore` in PostgreSQL: one row per record, the whole record as JSON
 * beside the columns pages are selected by. Ids sort by time, so newest
 * first is `id DESC` and a page is one index range scan.
 */
import { pageLimit, type AuditPage, type AuditQuery } from "../services/audit/query";
import { auditRecordSchema, type AuditRecord } from "../services/audit/record";
import type { AuditStore } from "../services/audit/store";
import type { Database } from "./database";

export class PgAuditStore implements AuditStore {
  constructor(private readonly database: Database) {}

  async append(record: AuditRecord): Promise<void> {
    const parsed = auditRecordSchema.parse(record);
    await this.database.query("INSERT INTO audit_records (id, at, environment, record) VALUES ($1, $2, $3, $4)", [
      parsed.id,
      parsed.at,
      parsed.subject.environment,
      JSON.stringify(parsed),
    ]);
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const limit = pageLimit(query);
    const { rows } = await this.database.query<{ record: unknown }>(
      `SELECT record FROM audit_records
        WHERE ($1::text IS NULL OR environment = $1)
          AND ($2::timestamptz IS NULL OR at >= $2)
          AND ($3::text IS NULL OR id < $3)
        ORDER BY id DESC
        LIMIT $4`,
      [query.environment ?? null, query.since?.toISOString() ?? null, query.cursor ?? null, limit + 1],
    );
    const records = rows.slice(0, limit).map((row) => auditRecordSchema.parse(row.record));
    return { records, nextCursor: rows.length > limit ? (records.at(-1)?.id ?? null) : null };
  }
}
