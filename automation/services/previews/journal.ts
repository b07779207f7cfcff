/**
 * The service's durable notes about each preview: the desired state and the
 * last operation with its result. The preview list itself is derived from the
 * engine's stacks and outputs; the journal adds what the engine cannot know
 * (a destroy that was requested, whether smoke checks passed) so both survive
 * a restart and crash recovery knows what to re-drive.
 */
import { z } from "zod";
import type { OperationStatus, ServiceOperationKind } from "../operations/types";
import type { PreviewSpec } from "./spec";

export interface OperationSummary {
  readonly id: string;
  readonly kind: ServiceOperationKind;
  readonly status: OperationStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly error?: string;
}

export interface PreviewRecord {
  readonly pr: number;
  readonly stack: string;
  readonly desired: "present" | "absent";
  /** The desired state; absent only for a destroy of a preview the journal never saw. */
  readonly spec?: PreviewSpec;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly actor: string;
  /** `owner/name` of the GitHub repository to report to. */
  readonly repository?: string;
  readonly lastOperation?: OperationSummary;
}

export interface PreviewJournal {
  get(stack: string): Promise<PreviewRecord | undefined>;
  list(): Promise<PreviewRecord[]>;
  put(record: PreviewRecord): Promise<void>;
  remove(stack: string): Promise<void>;
}

export class MemoryPreviewJournal implements PreviewJournal {
  private readonly records = new Map<string, PreviewRecord>();

  async get(stack: string): Promise<PreviewRecord | undefined> {
    return this.records.get(stack);
  }

  async list(): Promise<PreviewRecord[]> {
    return [...this.records.values()];
  }

  async put(record: PreviewRecord): Promise<void> {
    this.records.set(record.stack, record);
  }

  async remove(stack: string): Promise<void> {
    this.records.delete(stack);
  }
}

export const previewRecordSchema = z.object({
  pr: z.number().int().positive(),
  stack: z.string().regex(/^[A-Za-z0-9._-]+$/),
  desired: z.enum(["present", "absent"]),
  spec: z.object({
    image: z.string(),
    branch: z.string().optional(),
    commitSha: z.string().optional(),
    ttlHours: z.number().int().positive(),
  }).optional(),
  createdAt: z.string().optional(),
  expiresAt: z.string().optional(),
  actor: z.string(),
  repository: z.string().optional(),
  lastOperation: z
    .object({
      id: z.string(),
      kind: z.enum(["up", "destroy"]),
      status: z.enum(["queued", "running", "succeeded", "failed"]),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
}) satisfies z.ZodType<PreviewRecord>;
