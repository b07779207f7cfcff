/**
 * `OperationStore` in PostgreSQL: the queue every replica claims preview
 * operations from. A claim locks candidate rows with `FOR UPDATE SKIP LOCKED`
 * and takes the stack's lease in the same transaction, so one replica runs
 * an operation and one operation runs per stack (the unique index
 * `operations_one_running_per_stack` backs that up). A running operation
 * whose stack lease expired — its replica died — is a candidate again. The
 * outcome is written under the lease's token: a replica that lost the
 * operation cannot overwrite its successor's result. Submissions and
 * outcomes are announced on `rollgate_operations`.
 */
import type { ChangeSummary } from "../engine/port";
import type { ClaimedOperation, OperationStore, Outcome } from "../services/operations/store";
import {
  OPERATION_STATUSES,
  type NewEntry,
  type NewOperation,
  type Operation,
  type OperationCause,
  type OperationEntry,
  type ServiceOperationKind,
} from "../services/operations/types";
import type { Database, Queryable } from "./database";
import type { LeaseRef, LeaseStore } from "./leases";

export const OPERATIONS_CHANNEL = "rollgate_operations";

const columns = "id, kind, stack, actor, cause, subject, desired_key, status, queued_at, started_at, finished_at, changes, error, attempts";

interface OperationRow {
  id: string;
  kind: string;
  stack: string;
  actor: string;
  cause: string;
  subject: Operation["subject"];
  desired_key: string;
  status: string;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  changes: ChangeSummary | null;
  error: string | null;
  attempts: number;
  payload?: unknown;
}

export function toOperation(row: OperationRow): Operation {
  const status = OPERATION_STATUSES.find((known) => known === row.status);
  if (!status) throw new Error(`operation ${row.id} has an unknown status ${row.status}`);
  return {
    id: row.id,
    kind: row.kind as ServiceOperationKind,
    stack: row.stack,
    actor: row.actor,
    cause: row.cause as OperationCause,
    subject: row.subject,
    desiredKey: row.desired_key,
    status,
    queuedAt: row.queued_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.changes ? { changes: row.changes } : {}),
    ...(row.error === null ? {} : { error: row.error }),
    attempts: row.attempts,
  };
}

/** Queues an operation inside the caller's transaction and announces it on commit. */
export async function insertOperation(client: Queryable, operation: NewOperation): Promise<Operation> {
  const { rows } = await client.query<OperationRow>(
    `INSERT INTO operations (id, kind, stack, actor, cause, subject, desired_key, payload, status, queued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9)
     RETURNING ${columns}`,
    [
      operation.id,
      operation.kind,
      operation.stack,
      operation.actor,
      operation.cause,
      JSON.stringify(operation.subject),
      operation.desiredKey,
      JSON.stringify(operation.payload ?? null),
      operation.queuedAt,
    ],
  );
  await client.query("SELECT pg_notify($1, $2)", [OPERATIONS_CHANNEL, operation.stack]);
  return toOperation(rows[0]!);
}

/** The stack's latest and unfinished operations, read inside the caller's transaction. */
export async function currentOperations(client: Queryable, stack: string): Promise<{ latest?: Operation; active?: Operation }> {
  const { rows } = await client.query<OperationRow>(`SELECT ${columns} FROM operations WHERE stack = $1 ORDER BY seq DESC LIMIT 50`, [stack]);
  const operations = rows.map(toOperation);
  const latest = operations[0];
  const active = operations.find((operation) => operation.status === "queued" || operation.status === "running");
  return { ...(latest ? { latest } : {}), ...(active ? { active } : {}) };
}

/** Finished operations (and their events and logs) are kept this long; a stack's newest one stays whatever its age. */
export const OPERATION_RETENTION_DAYS = 35;

/** Deletes a batch of operations past the retention, each finish doing a little, so the table never grows without bound. */
async function pruneFinished(client: Queryable): Promise<void> {
  await client.query(
    `DELETE FROM operations WHERE id IN (
       SELECT o.id FROM operations o
        WHERE o.status IN ('succeeded', 'failed') AND o.finished_at < now() - make_interval(days => $1)
          AND EXISTS (SELECT 1 FROM operations newer WHERE newer.stack = o.stack AND newer.seq > o.seq)
        LIMIT 100)`,
    [OPERATION_RETENTION_DAYS],
  );
}

export class PgOperationStore implements OperationStore {
  constructor(
    private readonly database: Database,
    private readonly leases: LeaseStore,
  ) {}

  async get(id: string): Promise<Operation | undefined> {
    const { rows } = await this.database.query<OperationRow>(`SELECT ${columns} FROM operations WHERE id = $1`, [id]);
    return rows[0] && toOperation(rows[0]);
  }

  async latestFor(stacks: readonly string[]): Promise<Map<string, Operation>> {
    if (stacks.length === 0) return new Map();
    const { rows } = await this.database.query<OperationRow>(
      `SELECT DISTINCT ON (stack) ${columns} FROM operations WHERE stack = ANY($1::text[]) ORDER BY stack, seq DESC`,
      [stacks],
    );
    return new Map(rows.map((row) => [row.stack, toOperation(row)]));
  }

  async unfinished(): Promise<Operation[]> {
    const { rows } = await this.database.query<OperationRow>(`SELECT ${columns} FROM operations WHERE status IN ('queued', 'running') ORDER BY seq`);
    return rows.map(toOperation);
  }

  async counts(): Promise<{ queued: number; running: number }> {
    const { rows } = await this.database.query<{ queued: number; running: number }>(
      "SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running FROM operations WHERE status IN ('queued', 'running')",
    );
    return rows[0] ?? { queued: 0, running: 0 };
  }

  async entries(id: string, options: { readonly after?: number; readonly kind?: OperationEntry["kind"] } = {}): Promise<OperationEntry[]> {
    const { rows } = await this.database.query<{ id: string; kind: string; body: unknown }>(
      `SELECT id, kind, body FROM operation_entries
        WHERE operation_id = $1 AND id > $2 AND ($3::text IS NULL OR kind = $3)
        ORDER BY id`,
      [id, options.after ?? 0, options.kind ?? null],
    );
    return rows.map((row) =>
      row.kind === "event"
        ? { id: Number(row.id), kind: "event", event: row.body as Extract<OperationEntry, { kind: "event" }>["event"] }
        : { id: Number(row.id), kind: "log", line: String(row.body) },
    );
  }

  claim(owner: string, now: Date): Promise<ClaimedOperation | undefined> {
    return this.database.transaction(async (client) => {
      // One candidate at a time, so replicas claiming at once each lock (and skip) only what they try.
      const tried: string[] = [];
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const { rows: candidates } = await client.query<{ id: string; stack: string }>(
          `SELECT o.id, o.stack FROM operations o
            WHERE NOT (o.id = ANY($1::text[]))
              AND ((o.status = 'queued'
                    AND NOT EXISTS (SELECT 1 FROM operations e WHERE e.stack = o.stack AND e.seq < o.seq AND e.status IN ('queued', 'running'))
                    AND NOT EXISTS (SELECT 1 FROM operations r WHERE r.stack = o.stack AND r.status = 'running'))
                OR (o.status = 'running'
                    AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.name = 'stack:' || o.stack AND l.holder IS NOT NULL AND l.expires_at >= now())))
            ORDER BY o.seq
            FOR UPDATE OF o SKIP LOCKED
            LIMIT 1`,
          [tried],
        );
        const candidate = candidates[0];
        if (!candidate) return undefined;
        tried.push(candidate.id);
        const lease = await this.leases.tryAcquire(`stack:${candidate.stack}`, client);
        if (!lease) continue;
        const { rows } = await client.query<OperationRow>(
          `UPDATE operations SET status = 'running', owner = $2, lease_token = $3, started_at = coalesce(started_at, $4), attempts = attempts + 1
            WHERE id = $1
           RETURNING ${columns}, payload`,
          [candidate.id, owner, lease.token, now],
        );
        const row = rows[0]!;
        return { operation: toOperation(row), payload: row.payload, lease };
      }
      return undefined;
    });
  }

  async append(id: string, attempt: number, entries: readonly NewEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.database.query(
      `INSERT INTO operation_entries (operation_id, attempt, kind, body)
       SELECT $1, $2, entry.kind, entry.body FROM jsonb_to_recordset($3::jsonb) AS entry(kind text, body jsonb)`,
      [id, attempt, JSON.stringify(entries.map((entry) => ({ kind: entry.kind, body: entry.kind === "event" ? entry.event : entry.line })))],
    );
  }

  finish(id: string, outcome: Outcome, lease: LeaseRef): Promise<boolean> {
    return this.database.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE operations SET status = $3, finished_at = $4, changes = $5, error = $6, owner = NULL
          WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
        [id, lease.token, outcome.status, outcome.finishedAt ?? new Date(), outcome.changes ? JSON.stringify(outcome.changes) : null, outcome.error ?? null],
      );
      await client.query("SELECT pg_notify($1, $2)", [OPERATIONS_CHANNEL, id]);
      if (rowCount === 1) await pruneFinished(client);
      return rowCount === 1;
    });
  }

  async requeue(id: string, lease: LeaseRef): Promise<void> {
    await this.database.transaction(async (client) => {
      await client.query("UPDATE operations SET status = 'queued', owner = NULL WHERE id = $1 AND lease_token = $2 AND status = 'running'", [id, lease.token]);
      await client.query("SELECT pg_notify($1, $2)", [OPERATIONS_CHANNEL, id]);
    });
  }

  onChange(listener: () => void): () => void {
    return this.database.listen(OPERATIONS_CHANNEL, () => listener(), listener);
  }
}
