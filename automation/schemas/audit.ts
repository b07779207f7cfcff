/** HTTP shapes of the audit trail: `GET /api/v1/audit`. */
import { z } from "zod";
import { environmentNameSchema } from "../release/schemas";
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, type AuditPage } from "../services/audit/query";
import { auditIdSchema, auditRecordSchema } from "../services/audit/record";
import { pageLimit } from "./common";

export const AuditQuery = z
  .object({
    environment: environmentNameSchema.optional().describe("Only records of this environment (`preview` for preview environments)"),
    since: z
      .string()
      .datetime({ offset: true, message: "must be an ISO-8601 instant, e.g. 2030-01-02T00:00:00Z" })
      .transform((value) => new Date(value))
      .optional()
      .describe("Only records at or after this ISO-8601 instant"),
    limit: pageLimit(MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT).optional(),
    cursor: auditIdSchema.optional().describe("`nextCursor` of the previous page"),
  })
  .strict();

export type AuditQuery = z.output<typeof AuditQuery>;

export const AuditRecordSchema = auditRecordSchema.describe("An audit record");

export const AuditPageSchema = z
  .object({
    records: z.array(AuditRecordSchema).describe("Newest first"),
    nextCursor: auditIdSchema.nullable().describe("Pass as `cursor` for older records; null on the last page"),
  })
  .strict() satisfies z.ZodType<AuditPage, z.ZodTypeDef, unknown>;
