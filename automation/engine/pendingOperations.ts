/**
 * Pending operations a crashed Pulumi run leaves in a stack's state: the
 * steps it had started and not recorded as finished.
 */
export interface PendingOperation {
  readonly resource?: { readonly urn?: string };
  /** `creating`, `updating`, `deleting`, `reading` or `importing`. */
  readonly type?: string;
}

/**
 * Resources whose recorded state may be stale after the crash: an update or
 * delete may have reached the cloud (or cluster) unrecorded. A pending create
 * is not in the state at all, so there is nothing of it to refresh.
 */
export function urnsToRefresh(pending: readonly PendingOperation[]): string[] {
  const urns = pending.filter((operation) => operation.type === "updating" || operation.type === "deleting").map((operation) => operation.resource?.urn);
  return [...new Set(urns.filter((urn): urn is string => typeof urn === "string" && urn.length > 0))];
}
