/**
 * Crash recovery at start: clear what a crash left behind on every preview
 * stack (`engine.recover`), then re-drive previews whose last operation was
 * cut short towards their recorded desired state.
 */
import type { StackEngine, StackSummary } from "../../engine/port";
import type { Logger } from "../../deps";
import { messageOf } from "../../errors";
import type { PreviewJournal, PreviewRecord } from "./journal";
import { prOfStack, previewStackName } from "./naming";
import type { PreviewService } from "./previewService";
import { planFromStackConfig, type PreviewPlan } from "./spec";

export type RecoveryAction =
  | { readonly kind: "none" }
  | { readonly kind: "up"; readonly plan: PreviewPlan; readonly repository?: string }
  | { readonly kind: "destroy" }
  | { readonly kind: "forget" };

export interface RecoveryInputs {
  /** The journal entry, if the service recorded one. */
  readonly record?: PreviewRecord;
  /** The stack as the engine listed it before `recover`, if it exists. */
  readonly summary?: StackSummary;
  /** The plan read back from stack config, used when there is no journal entry. */
  readonly configPlan?: PreviewPlan;
}

/** What to do with one preview after a restart. Pure. */
export function recoveryAction({ record, summary, configPlan }: RecoveryInputs): RecoveryAction {
  const interrupted =
    summary?.updateInProgress === true ||
    record?.lastOperation?.status === "queued" ||
    record?.lastOperation?.status === "running";
  if (record?.desired === "absent") return summary ? { kind: "destroy" } : { kind: "forget" };
  if (record) {
    const plan = planFromRecord(record);
    if (plan && interrupted) {
      return { kind: "up", plan, ...(record.repository === undefined ? {} : { repository: record.repository }) };
    }
    // The stack was removed outside the service; a failed creation stays visible until deleted.
    if (!summary && record.lastOperation?.status !== "failed") return { kind: "forget" };
    return { kind: "none" };
  }
  if (summary?.updateInProgress && configPlan) return { kind: "up", plan: configPlan };
  return { kind: "none" };
}

function planFromRecord(record: PreviewRecord): PreviewPlan | undefined {
  if (!record.spec || !record.createdAt) return undefined;
  return { pr: record.pr, spec: record.spec, createdAt: record.createdAt, actor: record.actor };
}

export interface RecoveryDeps {
  readonly engine: StackEngine;
  readonly journal: PreviewJournal;
  readonly previews: PreviewService;
  readonly logger: Logger;
}

export interface RecoveryReport {
  /** Stacks on which `engine.recover` ran. */
  readonly recovered: string[];
  /** Operations started to re-drive previews, by stack. */
  readonly redriven: { readonly stack: string; readonly kind: "up" | "destroy"; readonly operationId: string }[];
  readonly failed: { readonly stack: string; readonly error: string }[];
}

export const recoveryActor = "rollgate-recovery";

export async function recoverPreviews({ engine, journal, previews, logger }: RecoveryDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: [], redriven: [], failed: [] };
  const summaries = new Map<number, StackSummary>();
  for (const summary of await engine.list()) {
    const pr = prOfStack(summary.name);
    if (pr !== undefined) summaries.set(pr, summary);
  }
  const records = new Map((await journal.list()).map((record) => [record.pr, record]));
  const prs = [...new Set([...summaries.keys(), ...records.keys()])].sort((a, b) => a - b);

  for (const pr of prs) {
    const stack = previewStackName(pr);
    const summary = summaries.get(pr);
    const record = records.get(pr);
    try {
      if (summary) {
        await engine.recover(stack);
        report.recovered.push(stack);
      }
      const configPlan =
        !record && summary?.updateInProgress ? planFromStackConfig(pr, await engine.config(stack)) : undefined;
      const action = recoveryAction({
        ...(record === undefined ? {} : { record }),
        ...(summary === undefined ? {} : { summary }),
        ...(configPlan === undefined ? {} : { configPlan }),
      });
      if (action.kind === "up") {
        const operation = previews.resumeUp(action.plan, recoveryActor, action.repository);
        report.redriven.push({ stack, kind: "up", operationId: operation.id });
      } else if (action.kind === "destroy") {
        const operation = previews.resumeDestroy(pr, recoveryActor, record);
        report.redriven.push({ stack, kind: "destroy", operationId: operation.id });
      } else if (action.kind === "forget") {
        await previews.forget(stack);
      }
      logger.info({ stack, action: action.kind }, "preview recovered");
    } catch (err) {
      report.failed.push({ stack, error: messageOf(err) });
      logger.error({ err, stack }, "recovering the preview failed");
    }
  }
  return report;
}
