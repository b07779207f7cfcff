/**
 * Where operations live: the queue every replica takes work from, and the
 * record clients read (status, log, engine events). An operation is claimed
 * by one replica, which holds its stack's lease while it runs; one runs per
 * stack at a time, oldest first; an operation whose replica died (its lease
 * expired) is claimed again by another. PostgreSQL in the service
 * (`store/operationStore.ts`); the memory store below serves unit tests.
 */
import type { Lease, LeaseRef } from "../../store/leases";
import { isActive, type NewEntry, type NewOperation, type Operation, type OperationEntry } from "./types";

/** An operation this replica now runs, with the stack lease it holds for it. */
export interface ClaimedOperation {
  readonly operation: Operation;
  readonly payload: unknown;
  readonly lease: Lease;
}

/** What a finished run reports. */
export type Outcome = Pick<Operation, "status" | "finishedAt" | "changes" | "error">;

export interface OperationStore {
  get(id: string): Promise<Operation | undefined>;
  /** The latest operation of each of `stacks` that has one. */
  latestFor(stacks: readonly string[]): Promise<Map<string, Operation>>;
  /** Operations not finished (queued or running), oldest first. */
  unfinished(): Promise<Operation[]>;
  counts(): Promise<{ readonly queued: number; readonly running: number }>;
  /** Entries after `after` (an entry id), oldest first. */
  entries(id: string, options?: { readonly after?: number; readonly kind?: OperationEntry["kind"] }): Promise<OperationEntry[]>;

  /** Takes the next operation this replica may run, if any: its stack's lease is taken with it. `now` stamps a first start. */
  claim(owner: string, now: Date): Promise<ClaimedOperation | undefined>;
  append(id: string, attempt: number, entries: readonly NewEntry[]): Promise<void>;
  /** Records the outcome; false when the run no longer owned the operation (another replica took it over). */
  finish(id: string, outcome: Outcome, lease: LeaseRef): Promise<boolean>;
  /** Puts an operation this replica gave up (shutdown) back in the queue. */
  requeue(id: string, lease: LeaseRef): Promise<void>;
  /** Calls `listener` when operations were submitted or finished on any replica; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** A stack lease for the memory store: single process, never expires. */
function localLease(stack: string, token: number): Lease {
  const now = new Date();
  return { name: `stack:${stack}`, token, holder: "local", acquiredAt: now, expiresAt: new Date(8.64e15) };
}

interface Stored {
  operation: Operation;
  readonly payload: unknown;
  readonly seq: number;
  token?: number;
}

export class MemoryOperationStore implements OperationStore {
  private readonly stored = new Map<string, Stored>();
  private readonly entryLog = new Map<string, OperationEntry[]>();
  private readonly listeners = new Set<() => void>();
  private sequence = 0;
  private tokens = 0;
  private entryIds = 0;

  /** Records a submitted operation (the memory journal's `submit` calls this). */
  insert(operation: NewOperation): Operation {
    const { payload, ...fields } = operation;
    const queued: Operation = { ...fields, status: "queued", attempts: 0 };
    this.stored.set(queued.id, { operation: queued, payload, seq: ++this.sequence });
    this.changed();
    return queued;
  }

  /** The stack's latest and unfinished operations. */
  current(stack: string): { readonly latest?: Operation; readonly active?: Operation } {
    const mine = this.ordered().filter((entry) => entry.operation.stack === stack);
    const latest = mine.at(-1)?.operation;
    const active = mine.filter((entry) => isActive(entry.operation)).at(-1)?.operation;
    return { ...(latest ? { latest } : {}), ...(active ? { active } : {}) };
  }

  async get(id: string): Promise<Operation | undefined> {
    return this.stored.get(id)?.operation;
  }

  async latestFor(stacks: readonly string[]): Promise<Map<string, Operation>> {
    const latest = new Map<string, Operation>();
    for (const stack of stacks) {
      const operation = this.current(stack).latest;
      if (operation) latest.set(stack, operation);
    }
    return latest;
  }

  async unfinished(): Promise<Operation[]> {
    return this.ordered().map((entry) => entry.operation).filter(isActive);
  }

  async counts(): Promise<{ queued: number; running: number }> {
    const all = [...this.stored.values()].map((entry) => entry.operation.status);
    return { queued: all.filter((status) => status === "queued").length, running: all.filter((status) => status === "running").length };
  }

  async entries(id: string, options: { readonly after?: number; readonly kind?: OperationEntry["kind"] } = {}): Promise<OperationEntry[]> {
    return (this.entryLog.get(id) ?? []).filter((entry) => entry.id > (options.after ?? 0) && (options.kind === undefined || entry.kind === options.kind));
  }

  async claim(_owner: string, now: Date): Promise<ClaimedOperation | undefined> {
    const ordered = this.ordered();
    const busy = new Set(ordered.filter((entry) => entry.operation.status === "running").map((entry) => entry.operation.stack));
    const seen = new Set<string>();
    for (const entry of ordered) {
      if (entry.operation.status !== "queued") continue;
      const stack = entry.operation.stack;
      if (busy.has(stack) || seen.has(stack)) continue;
      seen.add(stack);
      entry.token = ++this.tokens;
      entry.operation = { ...entry.operation, status: "running", startedAt: entry.operation.startedAt ?? now, attempts: entry.operation.attempts + 1 };
      return { operation: entry.operation, payload: entry.payload, lease: localLease(stack, entry.token) };
    }
    return undefined;
  }

  async append(id: string, _attempt: number, entries: readonly NewEntry[]): Promise<void> {
    const log = this.entryLog.get(id) ?? [];
    for (const entry of entries) log.push({ ...entry, id: ++this.entryIds });
    this.entryLog.set(id, log);
  }

  async finish(id: string, outcome: Outcome, lease: LeaseRef): Promise<boolean> {
    const entry = this.stored.get(id);
    if (!entry || entry.token !== lease.token || entry.operation.status !== "running") return false;
    entry.operation = { ...entry.operation, ...outcome };
    this.changed();
    return true;
  }

  async requeue(id: string, lease: LeaseRef): Promise<void> {
    const entry = this.stored.get(id);
    if (!entry || entry.token !== lease.token) return;
    entry.operation = { ...entry.operation, status: "queued" };
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private ordered(): Stored[] {
    return [...this.stored.values()].sort((a, b) => a.seq - b.seq);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) queueMicrotask(listener);
  }
}
