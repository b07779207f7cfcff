/** `PreviewJournal` in PostgreSQL: one row per preview stack, the record as JSON. */
import { previewRecordSchema, type PreviewJournal, type PreviewRecord } from "../services/previews/journal";
import type { Database } from "./database";

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
}
