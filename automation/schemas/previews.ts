import { z } from "zod";
import type { AcceptedOperation, OperationRef, PreviewView } from "../services/previews/previewService";
import { previewStatuses } from "../services/previews/status";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../services/pagination";
import { BranchName, CommitSha, OperationId, pageLimit, PrNumber, PrNumberString, Timestamp, TtlHours } from "./common";
import { ImageReference } from "./imageReference";

export const CreatePreviewBody = z
  .object({
    pr: PrNumber,
    image: ImageReference,
    branch: BranchName.optional(),
    commitSha: CommitSha.optional(),
    ttlHours: TtlHours.optional(),
  })
  .strict();

export type CreatePreviewBody = z.infer<typeof CreatePreviewBody>;

export const PreviewParams = z.object({ pr: PrNumberString }).strict();

export const PreviewStatusSchema = z.enum(["creating", "ready", "updating", "failed", "destroying"]) satisfies z.ZodType<
  (typeof previewStatuses)[number]
>;

export const ListPreviewsQuery = z
  .object({
    status: PreviewStatusSchema.optional().describe("Only previews with this status"),
    limit: pageLimit(MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT).optional(),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,8}$/, "must be the `nextCursor` of the previous page")
      .optional()
      .describe("`nextCursor` of the previous page"),
  })
  .strict();
export const OperationKindSchema = z.enum(["up", "destroy"]);
export const OperationStatusSchema = z.enum(["queued", "running", "succeeded", "failed"]);

export const OperationRefSchema = z
  .object({
    id: OperationId,
    kind: OperationKindSchema,
    status: OperationStatusSchema,
    actor: z.string().optional(),
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    error: z.string().nullable(),
  })
  .strict() satisfies z.ZodType<OperationRef>;

export const PreviewSchema = z
  .object({
    pr: PrNumber,
    stack: z.string(),
    status: PreviewStatusSchema,
    url: z.string().nullable(),
    image: z.string().nullable(),
    commitSha: z.string().nullable(),
    branch: z.string().nullable(),
    createdAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    lastOperation: OperationRefSchema.nullable(),
  })
  .strict() satisfies z.ZodType<PreviewView>;

export const PreviewPageSchema = z
  .object({
    previews: z.array(PreviewSchema).describe("By PR number"),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .strict();

/** The 202 answer to create, update and destroy. */
export const AcceptedSchema = z
  .object({
    pr: PrNumber,
    stack: z.string(),
    status: PreviewStatusSchema,
    operation: z.object({ id: OperationId, kind: OperationKindSchema, status: OperationStatusSchema }).strict(),
  })
  .strict();

export type AcceptedBody = z.infer<typeof AcceptedSchema>;

export function acceptedBody(accepted: AcceptedOperation): AcceptedBody {
  const { id, kind, status } = accepted.operation;
  return { pr: accepted.pr, stack: accepted.stack, status: accepted.status, operation: { id, kind, status } };
}
