/**
 * `ReleaseCommands` in PostgreSQL: promote, abort, pause and resume sent to
 * any replica are rows of `release_commands`, announced with NOTIFY on
 * `rollgate_release_commands` (payload: the release id) so the replica that
 * drives the release applies them at once; it also polls, in case a
 * notification was missed while its listening connection was down.
 */
import type { ReleaseCommands, StoredCommand } from "../release/ports";
import { RELEASE_COMMANDS, type ReleaseCommand } from "../release/stateMachine";
import type { Database } from "./database";

export const RELEASE_COMMANDS_CHANNEL = "rollgate_release_commands";

interface CommandRow {
  id: string;
  release_id: string;
  command: string;
  actor: string;
  reason: string | null;
  requested_at: Date;
}

export class PgReleaseCommands implements ReleaseCommands {
  constructor(private readonly database: Database) {}

  enqueue(releaseId: string, command: ReleaseCommand, actor: string, reason?: string): Promise<number> {
    return this.database.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        "INSERT INTO release_commands (release_id, command, actor, reason) VALUES ($1, $2, $3, $4) RETURNING id",
        [releaseId, command, actor, reason ?? null],
      );
      // Delivered on commit, so the driver never looks before the row is there.
      await client.query("SELECT pg_notify($1, $2)", [RELEASE_COMMANDS_CHANNEL, releaseId]);
      return Number(rows[0]?.id);
    });
  }

  async pending(releaseId: string): Promise<StoredCommand[]> {
    const { rows } = await this.database.query<CommandRow>(
      "SELECT id, release_id, command, actor, reason, requested_at FROM release_commands WHERE release_id = $1 AND handled_at IS NULL ORDER BY id",
      [releaseId],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      releaseId: row.release_id,
      command: toCommand(row.command),
      actor: row.actor,
      reason: row.reason,
      requestedAt: row.requested_at,
    }));
  }

  async settle(commandId: number, outcome: string): Promise<void> {
    await this.database.query("UPDATE release_commands SET handled_at = now(), outcome = $2 WHERE id = $1 AND handled_at IS NULL", [commandId, outcome]);
  }

  async outcome(commandId: number): Promise<string | null> {
    const { rows } = await this.database.query<{ outcome: string | null }>("SELECT outcome FROM release_commands WHERE id = $1", [commandId]);
    return rows[0]?.outcome ?? null;
  }

  watch(onArrival: (releaseId: string) => void): () => void {
    return this.database.listen(RELEASE_COMMANDS_CHANNEL, onArrival);
  }
}

function toCommand(value: string): ReleaseCommand {
  const command = RELEASE_COMMANDS.find((known) => known === value);
  if (!command) throw new Error(`unknown release command ${value} in the store`);
  return command;
}
