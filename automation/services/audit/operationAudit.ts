/** Records every finished preview operation (create, update, destroy) in the audit trail. */
import type { OperationObserver } from "../operations/scheduler";
import type { Operation, OperationCause } from "../operations/types";
import { prOfStack } from "../previews/naming";
import type { AuditLog } from "./auditLog";
import { PREVIEW_ENVIRONMENT, type AuditCauseKind, type AuditEntry } from "./record";

const causeKinds: Readonly<Record<OperationCause, AuditCauseKind>> = {
  api: "api",
  webhook: "webhook",
  "ttl-expiry": "ttl-expiry",
  recovery: "recovery",
};

/** The audit entry of a finished operation. */
export function operationAuditEntry(operation: Operation): AuditEntry {
  const pr = prOfStack(operation.stack);
  const started = operation.startedAt ?? operation.queuedAt;
  const finished = operation.finishedAt ?? started;
  return {
    at: finished,
    actor: operation.actor,
    action: operation.kind === "up" ? "preview.up" : "preview.destroy",
    cause: { kind: causeKinds[operation.cause], detail: operation.attempts > 1 ? `finished by another replica after ${operation.attempts - 1} interrupted run(s)` : null },
    result: operation.status === "succeeded" ? "succeeded" : "failed",
    durationMs: finished.getTime() - started.getTime(),
    subject: {
      environment: pr === undefined ? operation.stack : PREVIEW_ENVIRONMENT,
      stack: operation.stack,
      pr: pr ?? null,
      image: operation.subject.image ?? null,
      commitSha: operation.subject.commitSha ?? null,
      operationId: operation.id,
    },
    detail: operation.error ?? null,
  };
}

export class OperationAuditor implements OperationObserver {
  constructor(private readonly audit: AuditLog) {}

  finished(operation: Operation): void {
    void this.audit.record(operationAuditEntry(operation));
  }
}
