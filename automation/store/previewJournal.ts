/**
 * `PreviewJournal` in PostgreSQL: one row per preview stack, the record as
 * JSON. A submission holds a transaction-scoped advisory lock on the stack,
 * so concurrent requests for one preview on any replicas are decided one
 * after the other, each seeing the operation the previous one queued.
 */
import {
  previewRecordSchema,
  type PresentPreviews,
  type PreviewJournal,
  type PreviewRecord,
  type StackState,
  type StackSubmission,
  type SubmitOptions,
} from "../services/previews/journal";
import type { Database } from "./database";
import { currentOperations, insertOperation } from "./operationStore";

/** The advisory lock class of per-stack submissions (the second key is the stack name's hash). */
const STACK_LOCK_CLASS = 7_411_902;
/** The advisory lock class of submissions that count present previews (one lock, taken before a stack's). */
const COUNT_LOCK_CLASS = 7_411_903;

export class PgPreviewJournal implements PreviewJournal {
  constructor(private readonly database: Database) {}

  async get(stack: string): Promise<PreviewRecord | undefined> {
    const { rows } = await this.database.query<{ record: unknown }>("SELECT record FROM preview_journal WHERE stack = $1", [stack]);
    return rows[0] ? previewRecordSchema.parse(rows[0].record) : undefined;
  }

  async list(): Promise<PreviewRecord[]> {
    const { rows } = await this.database.query<{ record: unknown }>("SELECT record FROM preview_journal ORDER BY pr");
    return rows.map((row) => previewRecordSchema.parse(row.record));
  }

  async put(record: PreviewRecord): Promise<void> {
    const parsed = previewRecordSchema.parse(record);
    await this.database.query(
      `INSERT INTO preview_journal (stack, pr, record) VALUES ($1, $2, $3)
       ON CONFLICT (stack) DO UPDATE SET pr = excluded.pr, record = excluded.record, updated_at = now()`,
      [parsed.stack, parsed.pr, JSON.stringify(parsed)],
    );
  }

  async remove(stack: string): Promise<void> {
    await this.database.query("DELETE FROM preview_journal WHERE stack = $1", [stack]);
  }

  submit<T>(stack: string, decide: (state: StackState) => StackSubmission<T>, options: SubmitOptions = {}): Promise<T> {
    return this.database.transaction(async (client) => {
      let present: PresentPreviews | undefined;
      if (options.countPresent) {
        await client.query("SELECT pg_advisory_xact_lock($1, 0)", [COUNT_LOCK_CLASS]);
        const { rows: counts } = await client.query<{ total: number; in_repository: number }>(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE record->>'repository' = $2)::int AS in_repository
             FROM preview_journal WHERE stack <> $1 AND record->>'desired' = 'present'`,
          [stack, options.countPresent.repository ?? null],
        );
        present = { total: counts[0]?.total ?? 0, inRepository: counts[0]?.in_repository ?? 0 };
      }
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [STACK_LOCK_CLASS, stack]);
      const { rows } = await client.query<{ record: unknown }>("SELECT record FROM preview_journal WHERE stack = $1", [stack]);
      const record = rows[0] ? previewRecordSchema.parse(rows[0].record) : undefined;
      let queued: number | undefined;
      if (options.countQueued) {
        const { rows: waiting } = await client.query<{ queued: number }>("SELECT count(*)::int AS queued FROM operations WHERE status = 'queued'");
        queued = waiting[0]?.queued ?? 0;
      }
      const submission = decide({
        ...(record ? { record } : {}),
        ...(await currentOperations(client, stack)),
        ...(present ? { present } : {}),
        ...(queued === undefined ? {} : { queued }),
      });
      if (submission.operation) await insertOperation(client, submission.operation);
      if (submission.record === null) {
        await client.query("DELETE FROM preview_journal WHERE stack = $1", [stack]);
      } else if (submission.record) {
        const next = previewRecordSchema.parse(submission.record);
        await client.query(
          `INSERT INTO preview_journal (stack, pr, record) VALUES ($1, $2, $3)
           ON CONFLICT (stack) DO UPDATE SET pr = excluded.pr, record = excluded.record, updated_at = now()`,
          [stack, next.pr, JSON.stringify(next)],
        );
      }
      return submission.result;
    });
  }
}
