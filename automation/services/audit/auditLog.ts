/**
 * The audit trail as the service uses it: `record` never throws (a failed
 * write is logged; the operation it describes has happened regardless), and
 * `flush` waits for the writes in flight (shutdown, tests).
 */
import { randomBytes } from "node:crypto";
import type { Clock, Logger } from "../../deps";
import type { AuditPage, AuditQuery } from "./query";
import { auditId, toAuditRecord, type AuditEntry, type AuditRecord } from "./record";
import { MemoryAuditStore, type AuditStore } from "./store";

export interface AuditLogDeps {
  readonly store?: AuditStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 8 hex digits that make ids unique across replicas. */
  readonly random?: () => string;
  /** Told after each write attempt (metrics). */
  readonly onWrite?: (record: AuditRecord, ok: boolean) => void;
}

export class AuditLog {
  readonly store: AuditStore;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly random: () => string;
  /** Orders this process's records made in the same millisecond. */
  private sequence = 0;

  constructor(private readonly deps: AuditLogDeps) {
    this.store = deps.store ?? new MemoryAuditStore();
    this.random = deps.random ?? (() => randomBytes(4).toString("hex"));
  }

  /** Appends a record; resolves with it, or undefined when it could not be written. */
  record(entry: AuditEntry): Promise<AuditRecord | undefined> {
    const now = this.deps.clock.now();
    this.sequence = (this.sequence + 1) % 0x10000;
    const unique = `${this.sequence.toString(16).padStart(4, "0")}${this.random()}`;
    const record = toAuditRecord(entry, auditId(entry.at ?? now, unique), now);
    const write = this.store.append(record).then(
      () => {
        this.deps.onWrite?.(record, true);
        return record;
      },
      (err: unknown) => {
        this.deps.onWrite?.(record, false);
        this.deps.logger.error({ err, audit: record }, "writing an audit record failed");
        return undefined;
      },
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
    return write;
  }

  query(query: AuditQuery): Promise<AuditPage> {
    return this.store.page(query);
  }

  /** Resolves when every record submitted so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
