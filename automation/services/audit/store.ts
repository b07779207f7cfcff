/** Where audit records live: append-only, read back a page at a time, newest first. */
import { auditPage, newestFirst, type AuditPage, type AuditQuery } from "./query";
import type { AuditRecord } from "./record";

export interface AuditStore {
  /** Durable once it resolves; a failed append never damages other records. */
  append(record: AuditRecord): Promise<void>;
  /** One page of the records matching `query`, newest first. */
  page(query: AuditQuery): Promise<AuditPage>;
}

/** For unit tests and for an app built without a database. */
export class MemoryAuditStore implements AuditStore {
  private readonly records: AuditRecord[] = [];

  async append(record: AuditRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    return auditPage(this.records.map((record) => structuredClone(record)).sort(newestFirst), query);
  }
}
