/**
 * An audit record: who did what to which stack or release, when, why, with
 * what result and how long it took. Records are immutable once written; the
 * schema parses them back from the store and documents the API's answer.
 */
import { z } from "zod";
import { RELEASE_EVENT_TYPES } from "../../release/ports";

export const AUDIT_ACTIONS = [
  "preview.up",
  "preview.destroy",
  "environment.update",
  "environment.destroy",
  ...RELEASE_EVENT_TYPES,
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Why it happened: an API call (`actor` is the token's name), a GitHub
 * webhook (`github:<login>`), a preview's TTL expiry, crash recovery
 * re-driving an operation, an update made by a release (`detail` says what
 * changed), the release controller's own decision, an inconclusive analysis
 * pausing a release, or an automatic rollback (`detail` names the failing
 * measurement).
 */
export const AUDIT_CAUSES = [
  "api",
  "webhook",
  "ttl-expiry",
  "recovery",
  "release",
  "controller",
  "analysis",
  "automatic-rollback",
] as const;
export type AuditCauseKind = (typeof AUDIT_CAUSES)[number];

/** `succeeded`/`failed` for operations and stack updates; the release's status after a release event (`refused`: the supply-chain gate refused its image, nothing started). */
export const AUDIT_RESULTS = ["succeeded", "failed", "refused", "awaitingApproval", "progressing", "paused", "rolledBack", "aborted"] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** The environment of preview stacks in audit records (`?environment=preview`). */
export const PREVIEW_ENVIRONMENT = "preview";

/** `<13-digit epoch ms>-<4 hex sequence><8 hex random>`: sorts by time (and by order within a process), unique across replicas. */
export const auditIdSchema = z
  .string()
  .regex(/^[0-9]{13}-[0-9a-f]{12}$/, "must be an audit record id (a `nextCursor` of an earlier page)");

const iso = z.string().datetime({ offset: true });

export const auditMeasurementSchema = z
  .object({
    metric: z.string(),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    phase: z.string(),
    detail: z.string(),
  })
  .strict();

export const auditSubjectSchema = z
  .object({
    /** `preview`, or the release environment (its stack). */
    environment: z.string(),
    stack: z.string().nullable(),
    pr: z.number().int().positive().nullable(),
    image: z.string().nullable(),
    commitSha: z.string().nullable(),
    releaseId: z.string().nullable(),
    operationId: z.string().nullable(),
    /** Canary weight set by the update or carried by the release, in percent. */
    weight: z.number().int().min(0).max(100).nullable(),
    /** 1-based step of a release event. */
    step: z.number().int().min(0).nullable(),
    stepCount: z.number().int().min(0).nullable(),
  })
  .strict();

export const auditRecordSchema = z
  .object({
    id: auditIdSchema,
    /** When it finished (operations, updates) or happened (release events). */
    at: iso,
    actor: z.string().min(1),
    action: z.enum(AUDIT_ACTIONS),
    cause: z.object({ kind: z.enum(AUDIT_CAUSES), detail: z.string().nullable() }).strict(),
    result: z.enum(AUDIT_RESULTS),
    /** Operation or update time; a finished release's whole run; null for instant events. */
    durationMs: z.number().int().min(0).nullable(),
    subject: auditSubjectSchema,
    /** The deciding analysis measurement (automatic rollbacks, analysis pauses). */
    measurement: auditMeasurementSchema.nullable(),
    /** An error message or the release's reason. */
    detail: z.string().nullable(),
  })
  .strict();

export type AuditRecord = z.output<typeof auditRecordSchema>;
export type AuditSubject = z.output<typeof auditSubjectSchema>;
export type AuditMeasurement = z.output<typeof auditMeasurementSchema>;

/** What a caller records; the log adds the id and, unless given, the time. */
export interface AuditEntry {
  readonly at?: Date;
  readonly actor: string;
  readonly action: AuditAction;
  readonly cause: { readonly kind: AuditCauseKind; readonly detail?: string | null };
  readonly result: AuditResult;
  readonly durationMs?: number | null;
  readonly subject: Partial<AuditSubject> & { readonly environment: string };
  readonly measurement?: AuditMeasurement | null;
  readonly detail?: string | null;
}

const emptySubject: Omit<AuditSubject, "environment"> = {
  stack: null,
  pr: null,
  image: null,
  commitSha: null,
  releaseId: null,
  operationId: null,
  weight: null,
  step: null,
  stepCount: null,
};

/** The id of a record made at `at`; `unique` is 12 hex digits. */
export function auditId(at: Date, unique: string): string {
  return `${String(at.getTime()).padStart(13, "0")}-${unique}`;
}

/** The stored record of an entry: every field present (null when unknown). */
export function toAuditRecord(entry: AuditEntry, id: string, now: Date): AuditRecord {
  const durationMs = entry.durationMs === undefined || entry.durationMs === null ? null : Math.max(0, Math.round(entry.durationMs));
  return {
    id,
    at: (entry.at ?? now).toISOString(),
    actor: entry.actor,
    action: entry.action,
    cause: { kind: entry.cause.kind, detail: entry.cause.detail ?? null },
    result: entry.result,
    durationMs,
    subject: { ...emptySubject, ...entry.subject },
    measurement: entry.measurement ?? null,
    detail: entry.detail ?? null,
  };
}
