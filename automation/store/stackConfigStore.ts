/** `StackConfigStore` in PostgreSQL: one row per stack, its settings file and a version. */
import type { StackConfigStore, StoredStackConfig } from "../engine/stackConfigStore";
import type { Database } from "./database";
import { assertCurrent, type LeaseRef } from "./leases";

export class PgStackConfigStore implements StackConfigStore {
  constructor(private readonly database: Database) {}

  async load(stack: string): Promise<StoredStackConfig | undefined> {
    const { rows } = await this.database.query<{ content: string; version: string }>(
      "SELECT content, version FROM stack_configs WHERE stack = $1",
      [stack],
    );
    return rows[0] && { content: rows[0].content, version: Number(rows[0].version) };
  }

  save(stack: string, content: string, lease?: LeaseRef): Promise<StoredStackConfig> {
    return this.database.transaction(async (client) => {
      if (lease) await assertCurrent(client, lease);
      const { rows } = await client.query<{ version: string }>(
        `INSERT INTO stack_configs (stack, content, version, fence) VALUES ($1, $2, 1, $3)
         ON CONFLICT (stack) DO UPDATE SET content = excluded.content, version = stack_configs.version + 1,
           fence = excluded.fence, updated_at = now()
         RETURNING version`,
        [stack, content, lease?.token ?? 0],
      );
      return { content, version: Number(rows[0]?.version) };
    });
  }

  async remove(stack: string, lease?: LeaseRef): Promise<void> {
    await this.database.transaction(async (client) => {
      if (lease) await assertCurrent(client, lease);
      await client.query("DELETE FROM stack_configs WHERE stack = $1", [stack]);
    });
  }
}
