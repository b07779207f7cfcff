/**
 * Puts the release controller on the audit trail: its stack engine records
 * every environment update, and an extra notifier records every release
 * event.
 *
 * Both read the release's record from the release store, not from the
 * controller, so they exist before it. The store has what they need: the
 * commit SHA and start time never change, and the controller tells each
 * event only after the save of the state it reports.
 */
import type { Clock } from "../../deps";
import type { StackEngine } from "../../engine/port";
import type { Notifier } from "../../release/ports";
import type { ReleaseStore } from "../../release/store";
import { AuditedStackEngine } from "./auditedEngine";
import type { AuditLog } from "./auditLog";
import { ReleaseAuditNotifier, type ReleaseLookup } from "./releaseAudit";

/** Options the release controller factory takes from the audit trail. */
export interface AuditedReleaseOptions {
  readonly engine: StackEngine;
  /** Told about every release event besides the factory's own (webhook) notifier. */
  readonly notifiers: readonly Notifier[];
}

export interface ReleaseAuditDeps {
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** Where release records are read from to enrich the audit records. */
  readonly releases: Pick<ReleaseStore, "get">;
}

/** `options` with the audited engine and the audit notifier added. */
export function withReleaseAudit<O extends { readonly engine: StackEngine; readonly notifiers?: readonly Notifier[] }>(
  options: O,
  { audit, clock, releases }: ReleaseAuditDeps,
): O & AuditedReleaseOptions {
  const lookup: ReleaseLookup = (id) => releases.get(id).catch(() => undefined);
  return {
    ...options,
    engine: new AuditedStackEngine(options.engine, audit, { clock, releases: lookup }),
    notifiers: [...(options.notifiers ?? []), new ReleaseAuditNotifier(audit, lookup)],
  };
}
