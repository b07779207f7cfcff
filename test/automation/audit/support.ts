/** Audit records for tests. */
import { auditId, toAuditRecord, type AuditEntry, type AuditRecord } from "../../../automation/services/audit/record";

let counter = 0;

/** A record at `at` (ISO) in `environment`; ids are unique and sort by time. */
export function auditRecord(at: string, environment = "preview", overrides: Partial<AuditEntry> = {}): AuditRecord {
  counter += 1;
  const time = new Date(at);
  const entry: AuditEntry = {
    actor: "ci",
    action: "preview.up",
    cause: { kind: "api" },
    result: "succeeded",
    durationMs: 1000,
    subject: { environment, stack: `preview-pr-${counter}`, pr: counter },
    ...overrides,
  };
  return toAuditRecord(entry, auditId(time, counter.toString(16).padStart(12, "0")), time);
}
