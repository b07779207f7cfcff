/**
 * The service's durable notes about each preview: the desired state, who
 * asked for it and the operation submitted last. The preview list itself is
 * derived from the engine's stacks and outputs and the operation store; the
 * journal adds what they cannot know (a destroy that was requested, the
 * spec a failed create asked for) and keeps a copy of the outputs each
 * update left, so reads need no engine run. A request is answered only after its
 * operation and journal record are committed together (`submit`).
 */
import { z } from "zod";
import type { MemoryOperationStore } from "../operations/store";
import type { NewOperation, Operation } from "../operations/types";
import type { PreviewOutputs, PreviewSpec } from "./spec";

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
  /** The operation submitted last (its state is in the operation store). */
  readonly lastOperationId?: string;
  /** `pull_request.updated_at` of the webhook delivery that set `spec`: older deliveries are dropped. */
  readonly headUpdatedAt?: string;
  /** The stack's outputs as an update left them, so reads need no engine run (the CLI's start-up, seconds under load). */
  readonly outputs?: RecordedOutputs;
}

export interface RecordedOutputs {
  /** The `up` operation that produced them: they are current while it is the stack's latest operation or one is in flight. */
  readonly operationId: string;
  readonly values: PreviewOutputs;
}

/** What a submission sees of a stack, read under its lock. */
export interface StackState {
  readonly record?: PreviewRecord;
  /** The stack's unfinished operation (queued or running), if any. */
  readonly active?: Operation;
  readonly latest?: Operation;
  /** Other stacks' previews that are present, counted when the submission asked (`countPresent`). */
  readonly present?: PresentPreviews;
  /** Operations waiting in the queue on every replica, counted when the submission asked (`countQueued`). */
  readonly queued?: number;
}

export interface PresentPreviews {
  readonly total: number;
  /** Of the repository the submission named. */
  readonly inRepository: number;
}

export interface SubmitOptions {
  /**
   * Count the present previews of every other stack, under one lock all
   * counting submissions share, so two creates never both take the last place.
   */
  readonly countPresent?: { readonly repository?: string };
  readonly countQueued?: boolean;
}

/** What a submission writes: an operation to queue and the record to keep (`null` removes it), and what it answers. */
export interface StackSubmission<T> {
  readonly result: T;
  readonly operation?: NewOperation;
  readonly record?: PreviewRecord | null;
}

export interface PreviewJournal {
  get(stack: string): Promise<PreviewRecord | undefined>;
  list(): Promise<PreviewRecord[]>;
  put(record: PreviewRecord): Promise<void>;
  remove(stack: string): Promise<void>;
  /**
   * Reads the stack's record and operations, lets `decide` choose, and
   * writes what it returns — atomically, and alone on the stack across every
   * replica, so concurrent identical requests see each other's operation.
   * Resolves once the writes are durable.
   */
  submit<T>(stack: string, decide: (state: StackState) => StackSubmission<T>, options?: SubmitOptions): Promise<T>;
}

/** For unit tests: the journal over a memory operation store. */
export class MemoryPreviewJournal implements PreviewJournal {
  private readonly records = new Map<string, PreviewRecord>();

  constructor(private readonly operations: MemoryOperationStore) {}

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

  async submit<T>(stack: string, decide: (state: StackState) => StackSubmission<T>, options: SubmitOptions = {}): Promise<T> {
    const record = this.records.get(stack);
    const present = options.countPresent ? countPresent([...this.records.values()], stack, options.countPresent.repository) : undefined;
    const queued = options.countQueued ? (await this.operations.counts()).queued : undefined;
    const submission = decide({
      ...(record ? { record } : {}),
      ...this.operations.current(stack),
      ...(present ? { present } : {}),
      ...(queued === undefined ? {} : { queued }),
    });
    if (submission.operation) this.operations.insert(submission.operation);
    if (submission.record === null) this.records.delete(stack);
    else if (submission.record) this.records.set(stack, submission.record);
    return submission.result;
  }
}

function countPresent(records: readonly PreviewRecord[], stack: string, repository: string | undefined): PresentPreviews {
  const others = records.filter((record) => record.stack !== stack && record.desired === "present");
  return { total: others.length, inRepository: others.filter((record) => repository !== undefined && record.repository === repository).length };
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
  lastOperationId: z.string().optional(),
  headUpdatedAt: z.string().optional(),
  outputs: z.object({
    operationId: z.string(),
    values: z.object({
      pr: z.number().int().positive().optional(),
      url: z.string().optional(),
      image: z.string().optional(),
      branch: z.string().optional(),
      commitSha: z.string().optional(),
      createdAt: z.string().optional(),
      expiresAt: z.string().optional(),
      namespace: z.string().optional(),
      app: z.string().optional(),
      deploymentName: z.string().optional(),
    }),
  }).optional(),
}) satisfies z.ZodType<PreviewRecord>;
