import { z } from "zod";
import { OperationId, Timestamp } from "./common";
import { OperationKindSchema, OperationStatusSchema } from "./previews";

export const OperationParams = z.object({ id: OperationId }).strict();

export const OperationEventsHeaders = z.object({
  "last-event-id": z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, "must be the id of an event of this stream")
    .transform(Number)
    .optional()
    .describe("Resume after this event (the `id` of the last event received)"),
});

export const EngineEventSchema = z.object({
  sequence: z.number().int(),
  timestamp: z.string(),
  type: z.string(),
  message: z.string().optional(),
  urn: z.string().optional(),
  op: z.string().optional(),
});

export const OperationSchema = z
  .object({
    id: OperationId,
    kind: OperationKindSchema,
    stack: z.string(),
    status: OperationStatusSchema,
    actor: z.string(),
    queuedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    changes: z.record(z.number()).nullable().describe("Resource changes by operation, e.g. { create: 3 }"),
    error: z.string().nullable(),
    attempts: z.number().int().min(0).describe("Runs started: more than one when another replica took the operation over"),
    log: z.array(z.string()),
  })
  .strict();

export type OperationBody = z.infer<typeof OperationSchema>;
