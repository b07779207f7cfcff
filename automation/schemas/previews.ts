import { z } from "zod";
import type { AcceptedOperation, OperationRef, PreviewView } from "../services/previews/previewService";
import { previewStatuses } from "../services/previews/status";
import { BranchName, CommitSha, ImageReference, OperationId, PrNumber, PrNumberString, Timestamp, TtlHours } from "./common";

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
  .object({ status: PreviewStatusSchema.optional().describe("Only previews with this status") })
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

export const PreviewListSchema = z.array(PreviewSchema);

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
