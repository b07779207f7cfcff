/**
 * Preview environments: one stack `preview-pr-<pr>` per pull request, created
 * or updated by `up`, verified (rollout + smoke checks), destroyed on request
 * or when it expires. A request is decided and recorded (operation and
 * journal) in one transaction, alone on its stack across replicas, and
 * answered once that is durable; any replica then runs the operation. No
 * express types here; errors are typed.
 */
import { z } from "zod";
import type { StackEngine, StackSummary } from "../../engine/port";
import { describeUpdatePhases } from "../../engine/updateRecord";
import type { Clock, Logger } from "../../deps";
import { NoSuchStackError } from "../../engine/errors";
import { LimitReachedError, PreviewLimitError, PreviewNotFoundError, StaleHeadError } from "../../errors";
import type { OperationContext, OperationScheduler } from "../operations/scheduler";
import type { OperationStore } from "../operations/store";
import { isActive, type NewOperation, type Operation, type OperationCause, type OperationStatus, type ServiceOperationKind } from "../operations/types";
import type { PresentPreviews, PreviewJournal, PreviewRecord } from "./journal";
import { prOfStack, previewStackName } from "./naming";
import { sweepPreviewNamespaces, type PreviewNamespaces } from "./previewNamespaces";
import type { PreviewReport, PreviewReporter } from "./reporter";
import {
  desiredKey,
  expiresAtOf,
  hasOutputs,
  previewConfigKeys,
  previewStackConfig,
  readPreviewOutputs,
  type PreviewOutputs,
  type PreviewPlan,
  type PreviewSpec,
} from "./spec";
import { previewStatus, previewStatuses, type PreviewStatus } from "./status";
import type { PreviewVerifier } from "./verify";
import { pageOf, type Page, type PageOrder, type PageQuery } from "../pagination";

/** Pages of previews go by PR number; the cursor is the last PR of a page. */
const byPrNumber: PageOrder<{ readonly pr: number }> = {
  keyOf: (preview) => String(preview.pr),
  isAfter: (preview, cursor) => preview.pr > Number(cursor),
};

export interface OperationRef {
  readonly id: string;
  readonly kind: ServiceOperationKind;
  readonly status: OperationStatus;
  readonly actor?: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

export interface PreviewView {
  readonly pr: number;
  readonly stack: string;
  readonly status: PreviewStatus;
  readonly url: string | null;
  readonly image: string | null;
  readonly commitSha: string | null;
  readonly branch: string | null;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly lastOperation: OperationRef | null;
}

/** The answer to a create, update or destroy request. */
export interface AcceptedOperation {
  readonly pr: number;
  readonly stack: string;
  readonly status: PreviewStatus;
  readonly operation: OperationRef;
  /** False when an identical request was already in flight or done. */
  readonly started: boolean;
}

export interface UpsertPreviewRequest {
  readonly pr: number;
  readonly image: string;
  readonly branch?: string;
  readonly commitSha?: string;
  readonly ttlHours?: number;
  readonly actor: string;
  /** Why (audit trail); default `api`. */
  readonly cause?: OperationCause;
  /** `owner/name` to report to; defaults to the configured repository. */
  readonly repository?: string;
  /** `pull_request.updated_at` of a webhook delivery: one older than the preview's is refused (`StaleHeadError`). */
  readonly headUpdatedAt?: string;
}

export interface PreviewServiceDeps {
  readonly engine: StackEngine;
  readonly scheduler: OperationScheduler;
  readonly operations: OperationStore;
  readonly journal: PreviewJournal;
  readonly verifier: PreviewVerifier;
  readonly reporter: PreviewReporter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly defaultTtlHours: number;
  readonly defaultRepository?: string;
  /** Config keys every preview stack shares (`rollgate:app`, `rollgate:previewDomain`, ...). */
  readonly baseConfig?: Readonly<Record<string, string>>;
  /** How many previews may be present at once, in all and per repository; unbounded without. */
  readonly limits?: PreviewLimits;
  /** The cluster's preview namespaces, swept after a destroy (what a crashed create left unrecorded); not swept without. */
  readonly namespaces?: PreviewNamespaces;
}

export interface PreviewLimits {
  readonly total: number;
  readonly perRepository: number;
  /** Creates and updates are refused while this many operations wait (destroys, which free resources, never are). */
  readonly queuedOperations?: number;
}

/** What an `up` operation carries, so any replica can run it. */
const upPayloadSchema = z.object({
  plan: z.object({
    pr: z.number().int().positive(),
    spec: z.object({ image: z.string(), branch: z.string().optional(), commitSha: z.string().optional(), ttlHours: z.number().int().positive() }),
    createdAt: z.string(),
    actor: z.string(),
  }),
  repository: z.string().optional(),
});
type UpPayload = z.infer<typeof upPayloadSchema>;

/** What a `destroy` operation carries. */
const destroyPayloadSchema = z.object({ pr: z.number().int().positive(), repository: z.string().optional(), commitSha: z.string().optional() });
type DestroyPayload = z.infer<typeof destroyPayloadSchema>;

export class PreviewService {
  private statusCounts?: { readonly at: number; readonly counts: Record<PreviewStatus, number> };

  constructor(private readonly deps: PreviewServiceDeps) {
    deps.scheduler.handle("up", {
      run: (context, payload) => this.runUp(context, upPayloadSchema.parse(payload)),
      settled: (operation, payload) => this.settleUp(operation, upPayloadSchema.parse(payload)),
    });
    deps.scheduler.handle("destroy", {
      run: (context) => this.runDestroy(context),
      settled: (operation, payload) => this.settleDestroy(operation, destroyPayloadSchema.parse(payload)),
    });
  }

  /** Creates or updates a preview. An identical request in flight or already applied starts nothing. */
  async upsert(request: UpsertPreviewRequest): Promise<AcceptedOperation> {
    const { clock, journal, scheduler } = this.deps;
    const stack = previewStackName(request.pr);
    const spec: PreviewSpec = {
      image: request.image,
      ttlHours: request.ttlHours ?? this.deps.defaultTtlHours,
      ...(request.branch === undefined ? {} : { branch: request.branch }),
      ...(request.commitSha === undefined ? {} : { commitSha: request.commitSha }),
    };
    const key = desiredKey(spec);
    const [known, summary] = await Promise.all([journal.get(stack), this.findStack(stack)]);
    const configuredCreatedAt = summary && !known?.createdAt ? await this.configuredCreatedAt(stack) : undefined;
    const id = scheduler.nextId();
    const now = clock.now();

    const repositoryOfRequest = request.repository ?? known?.repository ?? this.deps.defaultRepository;
    const submitted = journal.submit(stack, ({ record, active, latest, present, queued }) => {
      const stale = staleHead(request, record);
      if (stale) throw new StaleHeadError(request.pr, stale.delivered, stale.current);
      if (active?.kind === "up" && active.desiredKey === key) {
        return { result: this.accepted(request.pr, active, summary ? "updating" : "creating", false) };
      }
      if (!active && summary && record?.desired === "present" && desiredKey(record.spec) === key && latest?.kind === "up" && latest.status === "succeeded") {
        return { result: this.accepted(request.pr, latest, "ready", false) };
      }
      const continuing = active?.kind === "up" || (summary !== undefined && active?.kind !== "destroy" && record?.desired !== "absent");
      if (!continuing && record?.desired !== "present") this.checkLimits(request.pr, present, repositoryOfRequest);
      this.checkQueue(queued);
      const plan: PreviewPlan = {
        pr: request.pr,
        spec,
        createdAt: (continuing ? (record?.createdAt ?? configuredCreatedAt) : undefined) ?? now.toISOString(),
        actor: request.actor,
      };
      const repository = request.repository ?? record?.repository ?? this.deps.defaultRepository;
      const payload: UpPayload = { plan, ...(repository === undefined ? {} : { repository }) };
      const operation = this.newOperation(id, "up", stack, request.actor, request.cause ?? "api", subjectOf(spec), key, now, payload);
      const next: PreviewRecord = {
        pr: request.pr,
        stack,
        desired: "present",
        spec,
        createdAt: plan.createdAt,
        expiresAt: expiresAtOf(plan),
        actor: request.actor,
        ...(repository === undefined ? {} : { repository }),
        lastOperationId: id,
        ...headUpdatedAtOf(request, record),
        // A stack being destroyed loses its outputs; one that stays keeps them until this update ends.
        ...(continuing && record?.outputs ? { outputs: record.outputs } : {}),
      };
      return { result: this.accepted(request.pr, queuedView(operation), continuing ? "updating" : "creating", true), operation, record: next };
    }, this.deps.limits ? { countPresent: repositoryOfRequest === undefined ? {} : { repository: repositoryOfRequest }, countQueued: this.deps.limits.queuedOperations !== undefined } : {});
    const accepted = await submitted.catch(async (error: unknown) => {
      if (error instanceof PreviewLimitError) {
        await this.report({
          ...(repositoryOfRequest === undefined ? {} : { repository: repositoryOfRequest }),
          pr: request.pr,
          ...(request.commitSha === undefined ? {} : { commitSha: request.commitSha }),
          state: "refused",
          image: request.image,
          error: error.message,
        });
      }
      throw error;
    });
    if (accepted.started) scheduler.wake();
    return accepted;
  }

  /** Refuses more work while the shared queue is full. */
  private checkQueue(queued: number | undefined): void {
    const limit = this.deps.limits?.queuedOperations;
    if (limit !== undefined && queued !== undefined && queued >= limit) {
      throw new LimitReachedError(`the operation queue is full (${queued} operations wait); retry later`, 30);
    }
  }

  /** Refuses a new preview when the others present already fill a limit. */
  private checkLimits(pr: number, present: PresentPreviews | undefined, repository: string | undefined): void {
    const { limits } = this.deps;
    if (!limits || !present) return;
    if (present.total >= limits.total) throw new PreviewLimitError(pr, limits.total);
    if (repository !== undefined && present.inRepository >= limits.perRepository) throw new PreviewLimitError(pr, limits.perRepository, repository);
  }

  /** Destroys a preview; throws `PreviewNotFoundError` when there is none. */
  async destroy(pr: number, actor: string, cause: OperationCause = "api"): Promise<AcceptedOperation> {
    const accepted = await this.destroyIfPresent(pr, actor, cause);
    if (!accepted) throw new PreviewNotFoundError(pr);
    return accepted;
  }

  /**
   * Destroys a preview if there is one; a preview that is already gone is a
   * no-op. With `onlyIf`, the destroy starts only if the record, read under
   * the stack's lock, still satisfies it (the reaper re-checks the expiry).
   */
  async destroyIfPresent(
    pr: number,
    actor: string,
    cause: OperationCause = "api",
    onlyIf?: (record: PreviewRecord | undefined) => boolean,
  ): Promise<AcceptedOperation | undefined> {
    const stack = previewStackName(pr);
    const summary = await this.findStack(stack);
    const id = this.deps.scheduler.nextId();
    const now = this.deps.clock.now();
    const accepted = await this.deps.journal.submit<AcceptedOperation | undefined>(stack, ({ record, active }) => {
      if (active?.kind === "destroy") return { result: this.accepted(pr, active, "destroying", false) };
      if (onlyIf && !onlyIf(record)) return { result: undefined };
      if (!summary && !active && record?.desired !== "present") return { result: undefined, ...(record ? { record: null } : {}) };
      const payload: DestroyPayload = {
        pr,
        ...(record?.repository === undefined ? {} : { repository: record.repository }),
        ...(record?.spec?.commitSha === undefined ? {} : { commitSha: record.spec.commitSha }),
      };
      const operation = this.newOperation(id, "destroy", stack, actor, cause, record?.spec ? subjectOf(record.spec) : {}, desiredKey(undefined), now, payload);
      const next: PreviewRecord = { ...(record ?? { pr, stack }), desired: "absent", actor, lastOperationId: id };
      return { result: this.accepted(pr, queuedView(operation), "destroying", true), operation, record: next };
    });
    if (accepted?.started) this.deps.scheduler.wake();
    return accepted;
  }

  async get(pr: number): Promise<PreviewView> {
    const stack = previewStackName(pr);
    const [record, summary, latest] = await Promise.all([this.deps.journal.get(stack), this.findStack(stack), this.deps.operations.latestFor([stack])]);
    const view = await this.describe(pr, summary !== undefined, record, latest.get(stack));
    if (!view) throw new PreviewNotFoundError(pr);
    return view;
  }

  /** Every preview: stacks the engine lists, plus ones being created or recorded as failed. */
  async list(): Promise<PreviewView[]> {
    const [stacks, records, unfinished] = await Promise.all([this.previewStacks(), this.deps.journal.list(), this.deps.operations.unfinished()]);
    const prs = new Set<number>(stacks.keys());
    for (const record of records) prs.add(record.pr);
    for (const operation of unfinished) {
      const pr = prOfStack(operation.stack);
      if (pr !== undefined) prs.add(pr);
    }
    const byStack = new Map(records.map((record) => [record.stack, record]));
    const latest = await this.deps.operations.latestFor([...prs].map(previewStackName));
    const views = await Promise.all(
      [...prs].map((pr) => this.describe(pr, stacks.has(pr), byStack.get(previewStackName(pr)), latest.get(previewStackName(pr)))),
    );
    const present = views.filter((view): view is PreviewView => view !== undefined).sort((a, b) => a.pr - b.pr);
    this.statusCounts = { at: Date.now(), counts: countStatuses(present) };
    return present;
  }

  /** One page of the previews (optionally of one status), by PR number. */
  async page(query: PageQuery & { readonly status?: PreviewStatus }): Promise<Page<PreviewView>> {
    const all = await this.list();
    return pageOf(query.status === undefined ? all : all.filter((preview) => preview.status === query.status), query, byPrNumber);
  }

  /** Previews by status for metrics, from a list at most `maxAgeMs` old. */
  async countByStatus(maxAgeMs = 15_000): Promise<Record<PreviewStatus, number>> {
    if (this.statusCounts && Date.now() - this.statusCounts.at <= maxAgeMs) return this.statusCounts.counts;
    await this.list();
    return this.statusCounts?.counts ?? countStatuses([]);
  }

  private async runUp(context: OperationContext, { plan, repository }: UpPayload): Promise<void> {
    const stack = context.operation.stack;
    await this.clearInterruptedRun(context);
    await this.report({ ...reportBase(plan, repository, context.operation), state: "pending" });
    context.log(`pulumi up ${stack} with image ${plan.spec.image}`);
    const result = await this.deps.engine.up(stack, previewStackConfig(plan, this.deps.baseConfig), {
      onEvent: context.onEvent,
      onOutput: context.log,
      signal: context.signal,
    });
    context.recordChanges(result.changes);
    if (result.phases) context.log(describeUpdatePhases(result.phases));
    const outputs = readPreviewOutputs(result.outputs);
    await this.recordOutputs(stack, context.operation.id, outputs);
    const verdict = await this.deps.verifier.verify(stack, outputs, context);
    if (!verdict.ok) throw new Error(verdict.reason);
  }

  private async settleUp(operation: Operation, { plan, repository }: UpPayload): Promise<void> {
    const outputs = operation.status === "succeeded" ? await this.outputsOf(operation.stack) : {};
    await this.report({
      ...reportBase(plan, repository, operation),
      state: operation.status === "succeeded" ? "ready" : "failed",
      ...(outputs.url === undefined ? {} : { url: outputs.url }),
      ...(operation.error === undefined ? {} : { error: operation.error }),
    });
  }

  private async runDestroy(context: OperationContext): Promise<void> {
    const stack = context.operation.stack;
    await this.clearInterruptedRun(context);
    context.log(`pulumi destroy ${stack}`);
    await this.deps.engine.destroy(stack, { onEvent: context.onEvent, onOutput: context.log, signal: context.signal });
    await this.sweepNamespaces(context);
  }

  /** With the stack gone no stack owns the PR's namespaces: any left were created by a run that crashed before recording them. */
  private async sweepNamespaces(context: OperationContext): Promise<void> {
    const pr = prOfStack(context.operation.stack);
    if (!this.deps.namespaces || pr === undefined) return;
    try {
      const swept = await sweepPreviewNamespaces(this.deps.namespaces, pr);
      for (const namespace of swept) context.log(`deleted namespace ${namespace}: labelled with PR ${pr} but owned by no stack (left by an interrupted run)`);
      if (swept.length > 0) this.deps.logger.warn({ pr, namespaces: swept }, "deleted preview namespaces no stack owned");
    } catch (err) {
      // The destroy itself succeeded; the reaper sweeps what is left on a later pass.
      this.deps.logger.warn({ err, pr }, "sweeping the preview's leftover namespaces failed");
    }
  }

  private async settleDestroy(operation: Operation, payload: DestroyPayload): Promise<void> {
    if (operation.status === "succeeded") {
      // Forgotten unless a newer request came in meanwhile.
      await this.deps.journal.submit(operation.stack, ({ record }) => ({
        result: undefined,
        ...(record?.lastOperationId === operation.id ? { record: null } : {}),
      }));
    }
    await this.report({
      ...(payload.repository === undefined ? {} : { repository: payload.repository }),
      pr: payload.pr,
      ...(payload.commitSha === undefined ? {} : { commitSha: payload.commitSha }),
      state: operation.status === "succeeded" ? "destroyed" : "failed",
      operationId: operation.id,
      ...(operation.error === undefined ? {} : { error: operation.error }),
    });
  }

  /** A run that follows one cut short (its replica died) first clears what that left on the stack. */
  private async clearInterruptedRun(context: OperationContext): Promise<void> {
    if (context.operation.attempts <= 1) return;
    context.log(`an earlier run of this operation was interrupted; clearing what it left on ${context.operation.stack}`);
    await this.deps.engine.recover(context.operation.stack);
  }

  /** Keeps the outputs an update left in the journal, for reads on every replica. */
  private async recordOutputs(stack: string, operationId: string, values: PreviewOutputs): Promise<void> {
    await this.deps.journal.submit(stack, ({ record }) => ({
      result: undefined,
      ...(record ? { record: { ...record, outputs: { operationId, values } } } : {}),
    }));
  }

  private async describe(pr: number, stackExists: boolean, record: PreviewRecord | undefined, last: Operation | undefined): Promise<PreviewView | undefined> {
    const stack = previewStackName(pr);
    const outputs = stackExists ? await this.currentOutputs(stack, record, last) : {};
    const status = previewStatus({
      stackExists,
      deployed: hasOutputs(outputs),
      desiredPresent: record?.desired === "present",
      ...(last === undefined ? {} : { lastOperation: last }),
    });
    if (!status) return undefined;
    return {
      pr,
      stack,
      status,
      url: outputs.url ?? null,
      image: outputs.image ?? record?.spec?.image ?? null,
      commitSha: outputs.commitSha ?? record?.spec?.commitSha ?? null,
      branch: outputs.branch ?? record?.spec?.branch ?? null,
      createdAt: outputs.createdAt ?? record?.createdAt ?? null,
      expiresAt: outputs.expiresAt ?? record?.expiresAt ?? null,
      lastOperation: last === undefined ? null : operationRef(last),
    };
  }

  /**
   * The journal's copy of the outputs while it is current: its update is the
   * latest operation, or an operation is in flight (the stack keeps its
   * outputs until that ends; a first create has none). Otherwise (a failed
   * update, a stack made outside the service) the engine's.
   */
  private async currentOutputs(stack: string, record: PreviewRecord | undefined, last: Operation | undefined): Promise<PreviewOutputs> {
    if (last !== undefined && record?.lastOperationId === last.id) {
      if (record.outputs?.operationId === last.id) return record.outputs.values;
      if (isActive(last)) return record.outputs?.values ?? {};
    }
    return this.outputsOf(stack);
  }

  private async outputsOf(stack: string): Promise<PreviewOutputs> {
    try {
      return readPreviewOutputs(await this.deps.engine.outputs(stack));
    } catch (err) {
      // The stack went away between listing and reading it.
      if (err instanceof NoSuchStackError) return {};
      throw err;
    }
  }

  /**
   * When a stack the journal does not know was created: its config, else its
   * `createdAt` output (a stack created by `pulumi up` or before the journal),
   * so its expiry does not restart at every update.
   */
  private async configuredCreatedAt(stack: string): Promise<string | undefined> {
    const config = await this.deps.engine.config(stack);
    return config[previewConfigKeys.createdAt] || (await this.outputsOf(stack)).createdAt;
  }

  /** Preview stacks the engine knows, by PR number. */
  private async previewStacks(): Promise<Map<number, StackSummary>> {
    const stacks = new Map<number, StackSummary>();
    for (const summary of await this.deps.engine.list()) {
      const pr = prOfStack(summary.name);
      if (pr !== undefined) stacks.set(pr, summary);
    }
    return stacks;
  }

  private async findStack(stack: string): Promise<StackSummary | undefined> {
    const pr = prOfStack(stack);
    return pr === undefined ? undefined : (await this.previewStacks()).get(pr);
  }

  private newOperation(
    id: string,
    kind: ServiceOperationKind,
    stack: string,
    actor: string,
    cause: OperationCause,
    subject: Operation["subject"],
    key: string,
    queuedAt: Date,
    payload: UpPayload | DestroyPayload,
  ): NewOperation {
    return { id, kind, stack, actor, cause, subject, desiredKey: key, queuedAt, payload };
  }

  private accepted(pr: number, operation: Operation, status: PreviewStatus, started: boolean): AcceptedOperation {
    return { pr, stack: previewStackName(pr), status, operation: operationRef(operation), started };
  }

  private async report(report: PreviewReport): Promise<void> {
    try {
      await this.deps.reporter.report(report);
    } catch (err) {
      this.deps.logger.warn({ err, operationId: report.operationId }, "reporting the preview failed");
    }
  }
}

/** When the request comes from a delivery older than the one that set the preview's spec. */
function staleHead(request: UpsertPreviewRequest, record: PreviewRecord | undefined): { delivered: string; current: string } | undefined {
  const delivered = request.headUpdatedAt;
  const current = record?.headUpdatedAt;
  if (delivered === undefined || current === undefined) return undefined;
  return Date.parse(delivered) < Date.parse(current) ? { delivered, current } : undefined;
}

function headUpdatedAtOf(request: UpsertPreviewRequest, record: PreviewRecord | undefined): { headUpdatedAt?: string } {
  const headUpdatedAt = request.headUpdatedAt ?? record?.headUpdatedAt;
  return headUpdatedAt === undefined ? {} : { headUpdatedAt };
}

function subjectOf(spec: PreviewSpec): { image: string; commitSha?: string } {
  return { image: spec.image, ...(spec.commitSha === undefined ? {} : { commitSha: spec.commitSha }) };
}

/** A just-submitted operation as the store will hold it. */
function queuedView(operation: NewOperation): Operation {
  const { payload: _payload, ...fields } = operation;
  return { ...fields, status: "queued", attempts: 0 };
}

function operationRef(operation: Operation): OperationRef {
  return {
    id: operation.id,
    kind: operation.kind,
    status: operation.status,
    actor: operation.actor,
    startedAt: operation.startedAt?.toISOString() ?? null,
    finishedAt: operation.finishedAt?.toISOString() ?? null,
    error: operation.error ?? null,
  };
}

function reportBase(plan: PreviewPlan, repository: string | undefined, operation: Operation) {
  return {
    ...(repository === undefined ? {} : { repository }),
    pr: plan.pr,
    ...(plan.spec.commitSha === undefined ? {} : { commitSha: plan.spec.commitSha }),
    image: plan.spec.image,
    operationId: operation.id,
  };
}

function countStatuses(views: readonly PreviewView[]): Record<PreviewStatus, number> {
  const counts = Object.fromEntries(previewStatuses.map((status) => [status, 0])) as Record<PreviewStatus, number>;
  for (const view of views) counts[view.status] += 1;
  return counts;
}
