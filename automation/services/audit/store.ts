/** Where audit records live: append-only, read back newest first. */
import { newestFirst } from "./query";
import type { AuditRecord } from "./record";

export interface AuditStore {
  /** Durable once it resolves; a failed or torn append never damages other records. */
  append(record: AuditRecord): Promise<void>;
  /** Every readable record, newest first. */
  list(): Promise<AuditRecord[]>;
}

/** For tests and for an app built without a directory. */
export class MemoryAuditStore implements AuditStore {
  private readonly records: AuditRecord[] = [];

  async append(record: AuditRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }

  async list(): Promise<AuditRecord[]> {
    return this.records.map((record) => structuredClone(record)).sort(newestFirst);
  }
}
