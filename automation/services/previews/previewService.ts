/**
 * Preview environments: one stack `preview-pr-<pr>` per pull request, created
 * or updated by `up`, verified (rollout + smoke checks), destroyed on request
 * or when it expires. No express types here; errors are typed.
 */
import type { StackEngine, StackSummary } from "../../engine/port";
import type { Clock, Logger } from "../../deps";
import { PreviewNotFoundError } from "../../errors";
import type { OperationRegistry } from "../operations/registry";
import type { OperationContext, OperationScheduler } from "../operations/scheduler";
import type { Operation, OperationCause, OperationStatus, ServiceOperationKind } from "../operations/types";
import type { OperationSummary, PreviewJournal, PreviewRecord } from "./journal";
import { prOfStack, previewStackName } from "./naming";
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
}

export interface PreviewServiceDeps {
  readonly engine: StackEngine;
  readonly scheduler: OperationScheduler;
  readonly registry: OperationRegistry;
  readonly journal: PreviewJournal;
  readonly verifier: PreviewVerifier;
  readonly reporter: PreviewReporter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly defaultTtlHours: number;
  readonly defaultRepository?: string;
  /** Config keys every preview stack shares (`rollgate:app`, `rollgate:previewDomain`, ...). */
  readonly baseConfig?: Readonly<Record<string, string>>;
}

export class PreviewService {
  /** Journal writes per stack, in submission order. */
  private readonly journalWrites = new Map<string, Promise<void>>();
  private statusCounts?: { readonly at: number; readonly counts: Record<PreviewStatus, number> };

  constructor(private readonly deps: PreviewServiceDeps) {}

  /** Creates or updates a preview. An identical request in flight or already applied starts nothing. */
  async upsert(request: UpsertPreviewRequest): Promise<AcceptedOperation> {
    const { registry, clock } = this.deps;
    const stack = previewStackName(request.pr);
    const spec: PreviewSpec = {
      image: request.image,
      ttlHours: request.ttlHours ?? this.deps.defaultTtlHours,
      ...(request.branch === undefined ? {} : { branch: request.branch }),
      ...(request.commitSha === undefined ? {} : { commitSha: request.commitSha }),
    };
    const key = desiredKey(spec);
    const [record, summary] = await Promise.all([this.readJournal(stack), this.findStack(stack)]);
    const configuredCreatedAt = summary && !record?.createdAt ? await this.configuredCreatedAt(stack) : undefined;

    // From here on nothing awaits until the operation is submitted, so concurrent
    // identical requests see each other's operation.
    const active = registry.activeFor(stack);
    if (active?.kind === "up" && active.desiredKey === key) {
      return this.accepted(request.pr, active, summary ? "updating" : "creating", false);
    }
    const applied = record?.lastOperation;
    if (
      !active &&
      summary &&
      record?.desired === "present" &&
      desiredKey(record.spec) === key &&
      applied?.kind === "up" &&
      applied.status === "succeeded"
    ) {
      return this.accepted(request.pr, registry.get(applied.id) ?? applied, "ready", false);
    }

    const continuing =
      active?.kind === "up" || (summary !== undefined && active?.kind !== "destroy" && record?.desired !== "absent");
    const now = clock.now();
    const plan: PreviewPlan = {
      pr: request.pr,
      spec,
      createdAt: (continuing ? (record?.createdAt ?? configuredCreatedAt) : undefined) ?? now.toISOString(),
      actor: request.actor,
    };
    const repository = request.repository ?? record?.repository ?? this.deps.defaultRepository;
    const operation = this.submitUp(plan, request.actor, repository, request.cause ?? "api");
    return this.accepted(request.pr, operation, continuing ? "updating" : "creating", true);
  }

  /** Destroys a preview; throws `PreviewNotFoundError` when there is none. */
  async destroy(pr: number, actor: string, cause: OperationCause = "api"): Promise<AcceptedOperation> {
    const accepted = await this.destroyIfPresent(pr, actor, cause);
    if (!accepted) throw new PreviewNotFoundError(pr);
    return accepted;
  }

  /** Destroys a preview if there is one; a preview that is already gone is a no-op. */
  async destroyIfPresent(pr: number, actor: string, cause: OperationCause = "api"): Promise<AcceptedOperation | undefined> {
    const stack = previewStackName(pr);
    const [record, summary] = await Promise.all([this.readJournal(stack), this.findStack(stack)]);
    const active = this.deps.registry.activeFor(stack);
    if (active?.kind === "destroy") return this.accepted(pr, active, "destroying", false);
    if (!summary && !active && record?.desired !== "present") {
      if (record) await this.updateJournal(stack, () => undefined);
      return undefined;
    }
    return this.accepted(pr, this.submitDestroy(pr, actor, record, cause), "destroying", true);
  }

  async get(pr: number): Promise<PreviewView> {
    const stack = previewStackName(pr);
    const [record, summary] = await Promise.all([this.readJournal(stack), this.findStack(stack)]);
    const view = await this.describe(pr, summary !== undefined, record);
    if (!view) throw new PreviewNotFoundError(pr);
    return view;
  }

  /** Every preview: stacks the engine lists, plus ones being created or recorded as failed. */
  async list(): Promise<PreviewView[]> {
    await Promise.all(this.journalWrites.values());
    const [stacks, records] = await Promise.all([this.previewStacks(), this.deps.journal.list()]);
    const prs = new Set<number>(stacks.keys());
    for (const record of records) prs.add(record.pr);
    for (const operation of this.deps.registry.list()) {
      const pr = prOfStack(operation.stack);
      if (pr !== undefined) prs.add(pr);
    }
    const byStack = new Map(records.map((record) => [record.stack, record]));
    const views = await Promise.all(
      [...prs].map((pr) => this.describe(pr, stacks.has(pr), byStack.get(previewStackName(pr)))),
    );
    const present = views.filter((view): view is PreviewView => view !== undefined).sort((a, b) => a.pr - b.pr);
    this.statusCounts = { at: Date.now(), counts: countStatuses(present) };
    return present;
  }

  /** Previews by status for metrics, from a list at most `maxAgeMs` old. */
  async countByStatus(maxAgeMs = 15_000): Promise<Record<PreviewStatus, number>> {
    if (this.statusCounts && Date.now() - this.statusCounts.at <= maxAgeMs) return this.statusCounts.counts;
    await this.list();
    return this.statusCounts?.counts ?? countStatuses([]);
  }

  /** Re-drives a preview to its recorded desired state (crash recovery). */
  resumeUp(plan: PreviewPlan, actor: string, repository: string | undefined): Operation {
    return this.submitUp(plan, actor, repository, "recovery");
  }

  /** Finishes a destroy the service had started (crash recovery). */
  resumeDestroy(pr: number, actor: string, record: PreviewRecord | undefined): Operation {
    return this.submitDestroy(pr, actor, record, "recovery");
  }

  /** Resolves when every journal write submitted so far is done (shutdown). */
  async flush(): Promise<void> {
    await Promise.all(this.journalWrites.values());
  }

  /** Drops the journal entry of a preview that no longer exists. */
  async forget(stack: string): Promise<void> {
    await this.updateJournal(stack, () => undefined);
  }

  private submitUp(plan: PreviewPlan, actor: string, repository: string | undefined, cause: OperationCause): Operation {
    const stack = previewStackName(plan.pr);
    let outputs: PreviewOutputs = {};
    const operation = this.deps.scheduler.submit({
      kind: "up",
      stack,
      actor,
      cause,
      subject: subjectOf(plan.spec),
      desiredKey: desiredKey(plan.spec),
      work: async (context) => {
        outputs = await this.runUp(stack, plan, repository, context);
      },
      onSettled: (finished) => this.settleUp(plan, repository, outputs, finished),
    });
    void this.updateJournal(stack, () => ({
      pr: plan.pr,
      stack,
      desired: "present",
      spec: plan.spec,
      createdAt: plan.createdAt,
      expiresAt: expiresAtOf(plan),
      actor: plan.actor,
      ...(repository === undefined ? {} : { repository }),
      lastOperation: summarize(operation),
    }));
    return operation;
  }

  private async runUp(
    stack: string,
    plan: PreviewPlan,
    repository: string | undefined,
    context: OperationContext,
  ): Promise<PreviewOutputs> {
    await this.journalSettled(stack);
    await this.report({ ...reportBase(plan, repository, context.operation), state: "pending" });
    context.log(`pulumi up ${stack} with image ${plan.spec.image}`);
    const result = await this.deps.engine.up(stack, previewStackConfig(plan, this.deps.baseConfig), {
      onEvent: context.onEvent,
      onOutput: context.log,
      signal: context.signal,
    });
    context.recordChanges(result.changes);
    const outputs = readPreviewOutputs(result.outputs);
    const verdict = await this.deps.verifier.verify(stack, outputs, context);
    if (!verdict.ok) throw new Error(verdict.reason);
    return outputs;
  }

  private async settleUp(
    plan: PreviewPlan,
    repository: string | undefined,
    outputs: PreviewOutputs,
    operation: Operation,
  ): Promise<void> {
    const stack = operation.stack;
    // An operation abandoned at shutdown stays "running" in the journal, so recovery re-drives it.
    if (operation.interrupted) return;
    await this.updateJournal(stack, (current) =>
      current?.lastOperation?.id === operation.id ? { ...current, lastOperation: summarize(operation) } : current,
    );
    await this.report({
      ...reportBase(plan, repository, operation),
      state: operation.status === "succeeded" ? "ready" : "failed",
      ...(outputs.url === undefined ? {} : { url: outputs.url }),
      ...(operation.error === undefined ? {} : { error: operation.error }),
    });
  }

  private submitDestroy(pr: number, actor: string, record: PreviewRecord | undefined, cause: OperationCause): Operation {
    const stack = previewStackName(pr);
    const operation = this.deps.scheduler.submit({
      kind: "destroy",
      stack,
      actor,
      cause,
      subject: record?.spec ? subjectOf(record.spec) : {},
      desiredKey: desiredKey(undefined),
      work: async (context) => {
        await this.journalSettled(stack);
        context.log(`pulumi destroy ${stack}`);
        await this.deps.engine.destroy(stack, {
          onEvent: context.onEvent,
          onOutput: context.log,
          signal: context.signal,
        });
      },
      onSettled: (finished) => this.settleDestroy(pr, finished),
    });
    void this.updateJournal(stack, (current) => ({
      ...(current ?? record ?? { pr, stack }),
      desired: "absent",
      actor,
      lastOperation: summarize(operation),
    }));
    return operation;
  }

  private async settleDestroy(pr: number, operation: Operation): Promise<void> {
    if (operation.interrupted) return;
    let removed: PreviewRecord | undefined;
    await this.updateJournal(operation.stack, (current) => {
      if (current?.lastOperation?.id !== operation.id) return current;
      if (operation.status === "succeeded") {
        removed = current;
        return undefined;
      }
      return { ...current, lastOperation: summarize(operation) };
    });
    const record = removed ?? (await this.deps.journal.get(operation.stack));
    await this.report({
      ...(record?.repository === undefined ? {} : { repository: record.repository }),
      pr,
      ...(record?.spec?.commitSha === undefined ? {} : { commitSha: record.spec.commitSha }),
      state: operation.status === "succeeded" ? "destroyed" : "failed",
      operationId: operation.id,
      ...(operation.error === undefined ? {} : { error: operation.error }),
    });
  }

  private async describe(pr: number, stackExists: boolean, record: PreviewRecord | undefined): Promise<PreviewView | undefined> {
    const stack = previewStackName(pr);
    const last: Operation | OperationSummary | undefined = this.deps.registry.latestFor(stack) ?? record?.lastOperation;
    const outputs = stackExists ? await this.outputsOf(stack) : {};
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

  private async outputsOf(stack: string): Promise<PreviewOutputs> {
    try {
      return readPreviewOutputs(await this.deps.engine.outputs(stack));
    } catch (err) {
      // The stack went away between listing and reading it.
      if (err instanceof Error && err.name === "StackNotFoundError") return {};
      throw err;
    }
  }

  /**
   * When a stack the journal does not know was created: its config, else its
   * `createdAt` output. The output lives in the backend; the config of a DIY
   * backend's stack lives in the workspace that ran it, so a stack created by
   * another workspace (`pulumi up`, another replica, a lost state dir) has
   * none here, and without the output its expiry would restart at every update.
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

  private accepted(pr: number, operation: Operation | OperationSummary, status: PreviewStatus, started: boolean): AcceptedOperation {
    return { pr, stack: previewStackName(pr), status, operation: operationRef(operation), started };
  }

  private async report(report: PreviewReport): Promise<void> {
    try {
      await this.deps.reporter.report(report);
    } catch (err) {
      this.deps.logger.warn({ err, operationId: report.operationId }, "reporting the preview failed");
    }
  }

  /**
   * Applies `change` to a stack's journal entry after earlier writes;
   * `undefined` removes it. A failed write is logged, not thrown: the engine
   * stays the source of truth for what exists.
   */
  private updateJournal(
    stack: string,
    change: (current: PreviewRecord | undefined) => PreviewRecord | undefined,
  ): Promise<void> {
    const { journal, logger } = this.deps;
    const settled = (this.journalWrites.get(stack) ?? Promise.resolve())
      .then(async () => {
        const next = change(await journal.get(stack));
        if (next) await journal.put(next);
        else await journal.remove(stack);
      })
      .catch((err: unknown) => {
        logger.error({ err, stack }, "writing the preview journal failed");
      })
      .finally(() => {
        if (this.journalWrites.get(stack) === settled) this.journalWrites.delete(stack);
      });
    this.journalWrites.set(stack, settled);
    return settled;
  }

  private async journalSettled(stack: string): Promise<void> {
    await this.journalWrites.get(stack);
  }

  /** A stack's journal entry, after the writes already submitted for it. */
  private async readJournal(stack: string): Promise<PreviewRecord | undefined> {
    await this.journalSettled(stack);
    return this.deps.journal.get(stack);
  }
}

function subjectOf(spec: PreviewSpec): { image: string; commitSha?: string } {
  return { image: spec.image, ...(spec.commitSha === undefined ? {} : { commitSha: spec.commitSha }) };
}

function summarize(operation: Operation): OperationSummary {
  return {
    id: operation.id,
    kind: operation.kind,
    status: operation.status,
    ...(operation.startedAt ? { startedAt: operation.startedAt.toISOString() } : {}),
    ...(operation.finishedAt ? { finishedAt: operation.finishedAt.toISOString() } : {}),
    ...(operation.error === undefined ? {} : { error: operation.error }),
  };
}

function operationRef(operation: Operation | OperationSummary): OperationRef {
  const summary = "queuedAt" in operation ? summarize(operation) : operation;
  return {
    id: summary.id,
    kind: summary.kind,
    status: summary.status,
    ...("actor" in operation ? { actor: operation.actor } : {}),
    startedAt: summary.startedAt ?? null,
    finishedAt: summary.finishedAt ?? null,
    error: summary.error ?? null,
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
