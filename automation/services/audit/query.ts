/** Filtering and cursor pagination of audit records: pure functions over a newest-first list. */
import type { AuditRecord } from "./record";

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 500;

export interface AuditQuery {
  /** `preview` or a release environment. */
  readonly environment?: string;
  /** Records at or after this instant. */
  readonly since?: Date;
  readonly limit?: number;
  /** The `nextCursor` of the previous page: records older than it. */
  readonly cursor?: string;
}

export interface AuditPage {
  /** Newest first. */
  readonly records: readonly AuditRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Newest first by id (ids start with the epoch milliseconds). */
export function newestFirst(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function matchesQuery(record: AuditRecord, query: AuditQuery): boolean {
  if (query.cursor !== undefined && record.id >= query.cursor) return false;
  if (query.environment !== undefined && record.subject.environment !== query.environment) return false;
  if (query.since !== undefined && Date.parse(record.at) < query.since.getTime()) return false;
  return true;
}

/** The page size a query asks for, within 1..MAX_AUDIT_LIMIT. */
export function pageLimit(query: AuditQuery): number {
  return Math.min(Math.max(query.limit ?? DEFAULT_AUDIT_LIMIT, 1), MAX_AUDIT_LIMIT);
}

/** One page of `records` (newest first) matching `query`. */
export function auditPage(records: readonly AuditRecord[], query: AuditQuery): AuditPage {
  const limit = pageLimit(query);
  const page: AuditRecord[] = [];
  let more = false;
  for (const record of records) {
    if (!matchesQuery(record, query)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(record);
  }
  return { records: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}
