/**
 * Puts the release controller on the audit trail: its stack engine records
 * every environment update, and an extra notifier records every release
 * event. The controller is built after its options, so the release lookup
 * that enriches records is bound to it afterwards.
 */
import type { Clock } from "../../deps";
import type { StackEngine } from "../../engine/port";
import type { Notifier } from "../../release/ports";
import type { Release } from "../../release/schemas";
import { AuditedStackEngine } from "./auditedEngine";
import type { AuditLog } from "./auditLog";
import { ReleaseAuditNotifier, type ReleaseLookup } from "./releaseAudit";

/** Options the release controller factory takes from the audit trail. */
export interface AuditedReleaseOptions {
  readonly engine: StackEngine;
  /** Told about every release event besides the factory's own (webhook) notifier. */
  readonly notifiers: readonly Notifier[];
}

export interface ReleaseAuditWiring {
  /** `options` with the audited engine and the audit notifier added. */
  options<O extends { readonly engine: StackEngine; readonly notifiers?: readonly Notifier[] }>(options: O): O & AuditedReleaseOptions;
  /** Where release records are read from once the controller exists. */
  bind(controller: { get(id: string): Promise<Release> }): void;
}

export function releaseAuditWiring(audit: AuditLog, clock: Clock): ReleaseAuditWiring {
  let source: { get(id: string): Promise<Release> } | undefined;
  const lookup: ReleaseLookup = async (id) => (source ? source.get(id).catch(() => undefined) : undefined);
  return {
    options: (options) => ({
      ...options,
      engine: new AuditedStackEngine(options.engine, audit, { clock, releases: lookup }),
      notifiers: [...(options.notifiers ?? []), new ReleaseAuditNotifier(audit, lookup)],
    }),
    bind: (controller) => {
      source = controller;
    },
  };
}
