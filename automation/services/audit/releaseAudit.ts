/**
 * Release events in the audit trail: a `Notifier` the release controller
 * tells about every start, step, pause, resume, promotion, rollback, abort
 * and failure. The release record (looked up by id) adds the commit SHA, the
 * run's duration and the measurement that decided an automatic rollback.
 */
import { CONTROLLER_ACTOR } from "../../release/controller";
import type { Notifier, ReleaseEvent } from "../../release/ports";
import type { AnalysisRecord, Release } from "../../release/schemas";
import { describeVerdict } from "../../supplyChain/describeVerdict";
import type { AuditLog } from "./auditLog";
import { AUDIT_RESULTS, type AuditCauseKind, type AuditEntry, type AuditMeasurement, type AuditResult } from "./record";

export type ReleaseLookup = (id: string) => Promise<Release | undefined>;

const finishing = new Set<ReleaseEvent["type"]>(["release.promoted", "release.rolledBack", "release.aborted", "release.failed"]);

/** Why a release event happened. */
export function releaseCause(event: ReleaseEvent): AuditCauseKind {
  if (event.type === "release.step") return "controller";
  if (event.actor !== CONTROLLER_ACTOR) return "api";
  if (event.type === "release.rolledBack") return "automatic-rollback";
  if (event.type === "release.paused") return "analysis";
  return "controller";
}

/** The measurement that decided a rollback or pause: the last one that did not pass. */
export function decidingMeasurement(analysis: readonly AnalysisRecord[]): AuditMeasurement | null {
  const record = analysis.filter((candidate) => candidate.phase !== "successful").at(-1);
  if (!record) return null;
  return {
    metric: record.metric,
    value: finiteOrNull(record.value),
    threshold: finiteOrNull(record.threshold),
    phase: record.phase,
    detail: record.detail,
  };
}

export function releaseAuditEntry(event: ReleaseEvent, release: Release | undefined): AuditEntry {
  const at = new Date(event.at);
  const cause = releaseCause(event);
  const decided = cause === "automatic-rollback" || cause === "analysis";
  return {
    at,
    actor: event.actor,
    action: event.type,
    cause: { kind: cause, detail: cause === "api" || cause === "controller" ? null : event.reason },
    result: auditResult(event.status),
    durationMs: release && finishing.has(event.type) ? at.getTime() - Date.parse(release.startedAt) : null,
    subject: {
      environment: event.environment,
      stack: event.environment,
      image: event.image,
      commitSha: release?.commitSha ?? null,
      releaseId: event.releaseId,
      weight: event.weight,
      step: event.step,
      stepCount: event.stepCount,
    },
    measurement: decided && release ? decidingMeasurement(release.analysis) : null,
    detail: event.type === "release.started" ? startDetail(event, release) : event.reason,
  };
}

/** A start records the supply-chain verdict the release passed, beside the reason. */
function startDetail(event: ReleaseEvent, release: Release | undefined): string | null {
  const verdict = release?.supplyChain ? `supply chain: ${describeVerdict(release.supplyChain)}` : null;
  return [event.reason, verdict].filter((part): part is string => Boolean(part)).join("; ") || null;
}

export class ReleaseAuditNotifier implements Notifier {
  constructor(
    private readonly audit: AuditLog,
    private readonly lookup: ReleaseLookup = async () => undefined,
  ) {}

  async notify(event: ReleaseEvent): Promise<void> {
    const release = await this.lookup(event.releaseId).catch(() => undefined);
    const written = await this.audit.record(releaseAuditEntry(event, release));
    if (!written) throw new Error("the audit record could not be written");
  }
}

function auditResult(status: string): AuditResult {
  return (AUDIT_RESULTS as readonly string[]).includes(status) ? (status as AuditResult) : "progressing";
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
