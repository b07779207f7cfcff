/**
 * A `StackEngine` that records every update and destroy of an environment
 * stack (staging, production…) in the audit trail: the release controller's
 * canary, weight and promotion updates. Preview stacks are recorded by their
 * operations instead (`operationAudit.ts`), which know more.
 */
import type { OperationOptions, PreviewResult, StackConfig, StackEngine, StackSummary, UpResult } from "../../engine/port";
import type { Clock } from "../../deps";
import { errorSummary } from "../../errors";
import { defaultReleaseConfigKeys } from "../../release/schemas";
import { prOfStack } from "../previews/naming";
import type { AuditLog } from "./auditLog";
import type { AuditEntry } from "./record";
import type { ReleaseLookup } from "./releaseAudit";

// The release controller's default config keys; a controller configured with others is not described.

/** What an update changes, for people: `canary image X, weight 25%`. */
export function describeUpdate(config: StackConfig): string {
  const value = (key: string): string | undefined => config[key]?.value;
  const parts: string[] = [];
  const stable = value(defaultReleaseConfigKeys.stableImage);
  const canary = value(defaultReleaseConfigKeys.canaryImage);
  const weight = value(defaultReleaseConfigKeys.canaryWeight);
  if (stable) parts.push(`stable image ${stable}`);
  if (canary !== undefined) parts.push(canary === "" ? "canary removed" : `canary image ${canary}`);
  if (weight !== undefined) parts.push(`canary weight ${weight}%`);
  return parts.length > 0 ? parts.join(", ") : `config ${Object.keys(config).sort().join(", ") || "unchanged"}`;
}

export function environmentUpdateEntry(
  stack: string,
  config: StackConfig,
  outcome: { readonly startedAt: Date; readonly finishedAt: Date; readonly error?: string },
  commitSha: string | undefined,
): AuditEntry {
  const value = (key: string): string | undefined => config[key]?.value || undefined;
  const weight = Number(value(defaultReleaseConfigKeys.canaryWeight) ?? Number.NaN);
  const releaseId = value(defaultReleaseConfigKeys.releaseId);
  return {
    at: outcome.finishedAt,
    actor: value(defaultReleaseConfigKeys.deployedBy) ?? "rollgate",
    action: "environment.update",
    // Only the release controller updates environment stacks in this service.
    cause: { kind: "release", detail: describeUpdate(config) },
    result: outcome.error === undefined ? "succeeded" : "failed",
    durationMs: outcome.finishedAt.getTime() - outcome.startedAt.getTime(),
    subject: {
      environment: stack,
      stack,
      image: value(defaultReleaseConfigKeys.stableImage) ?? value(defaultReleaseConfigKeys.canaryImage) ?? null,
      commitSha: commitSha ?? null,
      releaseId: releaseId ?? null,
      weight: Number.isInteger(weight) && weight >= 0 && weight <= 100 ? weight : null,
    },
    detail: outcome.error ?? null,
  };
}

export interface AuditedStackEngineOptions {
  readonly clock: Clock;
  /** The release of a `rollgate:releaseId`, for its commit SHA. */
  readonly releases?: ReleaseLookup;
}

export class AuditedStackEngine implements StackEngine {
  constructor(
    private readonly inner: StackEngine,
    private readonly audit: AuditLog,
    private readonly options: AuditedStackEngineOptions,
  ) {}

  async up(stack: string, config: StackConfig, options?: OperationOptions): Promise<UpResult> {
    if (prOfStack(stack) !== undefined) return this.inner.up(stack, config, options);
    const startedAt = this.options.clock.now();
    try {
      const result = await this.inner.up(stack, config, options);
      await this.recordUpdate(stack, config, startedAt);
      return result;
    } catch (error) {
      await this.recordUpdate(stack, config, startedAt, errorSummary(error));
      throw error;
    }
  }

  async destroy(stack: string, options?: OperationOptions): Promise<void> {
    if (prOfStack(stack) !== undefined) return this.inner.destroy(stack, options);
    const startedAt = this.options.clock.now();
    let error: string | undefined;
    try {
      await this.inner.destroy(stack, options);
    } catch (caught) {
      error = errorSummary(caught);
      throw caught;
    } finally {
      const finishedAt = this.options.clock.now();
      await this.audit.record({
        at: finishedAt,
        actor: "rollgate",
        action: "environment.destroy",
        cause: { kind: "release" },
        result: error === undefined ? "succeeded" : "failed",
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        subject: { environment: stack, stack },
        detail: error ?? null,
      });
    }
  }

  preview(stack: string, config: StackConfig, options?: OperationOptions): Promise<PreviewResult> {
    return this.inner.preview(stack, config, options);
  }

  outputs(stack: string): Promise<Record<string, unknown>> {
    return this.inner.outputs(stack);
  }

  config(stack: string): Promise<Record<string, string>> {
    return this.inner.config(stack);
  }

  list(): Promise<StackSummary[]> {
    return this.inner.list();
  }

  recover(stack: string): Promise<void> {
    return this.inner.recover(stack);
  }

  private async recordUpdate(stack: string, config: StackConfig, startedAt: Date, error?: string): Promise<void> {
    const releaseId = config[defaultReleaseConfigKeys.releaseId]?.value;
    const release = releaseId ? await this.options.releases?.(releaseId).catch(() => undefined) : undefined;
    const outcome = { startedAt, finishedAt: this.options.clock.now(), ...(error === undefined ? {} : { error }) };
    await this.audit.record(environmentUpdateEntry(stack, config, outcome, release?.commitSha));
  }
}
