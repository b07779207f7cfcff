/** How a followed release is told: progress lines while it runs, a final line and the exit code at its end. */
import { isTerminal } from "../release/stateMachine";
import { describeStep, stepRouting } from "../release/stepRouting";
import type { Release } from "./client";
import { exitCodes, type ExitCode } from "./types";

/**
 * Turns successive views of a release into progress lines: status changes,
 * pending commands, one header per step reached (with its weight) and each
 * new measurement. Works however far apart the polls are: steps and
 * measurements come from the record, not from what was seen in between.
 */
export class ReleaseProgress {
  private status: string | undefined;
  private pending: string | undefined;
  private records = 0;
  private readonly headers = new Set<number>();

  update(release: Release): string[] {
    const lines: string[] = [];
    const finished = isTerminal(release.status);
    const statusLine = release.status === this.status ? undefined : `release ${release.id} (${release.environment}): ${release.status}${release.reason ? `: ${release.reason}` : ""}`;
    this.status = release.status;
    if (statusLine && !finished) lines.push(statusLine);

    for (const record of release.analysis.slice(this.records)) {
      this.header(release, record.step, lines);
      lines.push(`  ${record.metric}: ${record.phase} (${record.detail})`);
    }
    this.records = Math.max(this.records, release.analysis.length);
    const current = release.steps[release.step];
    if (!finished && current && release.weight === stepRouting(release.steps, release.step).weight) this.header(release, release.step, lines);

    const pending = release.pending ? `  ${release.pending.action} requested by ${release.pending.actor}: ${release.pending.reason}` : undefined;
    if (pending && pending !== this.pending) lines.push(pending);
    this.pending = pending;

    if (statusLine && finished) lines.push(statusLine);
    return lines;
  }

  private header(release: Release, step: number, lines: string[]): void {
    if (this.headers.has(step)) return;
    this.headers.add(step);
    const target = release.steps[step];
    const label = describeStep(release.steps, step);
    lines.push(`step ${step + 1}/${release.steps.length}: ${target && "weight" in target ? `canary at ${label}` : label}`);
  }
}

/** The final line of a followed release; `timeoutSeconds` is named when it is still running. */
export function outcome(release: Release, timeoutSeconds?: number): string {
  const head = `release ${release.id}`;
  const why = release.reason ? `: ${release.reason}` : "";
  switch (release.status) {
    case "succeeded":
      return `${head} succeeded: ${release.environment} runs ${release.image}`;
    case "rolledBack":
      return `${head} rolled back${why}; ${release.environment} still runs ${release.previousImage}`;
    case "aborted":
      return `${head} aborted${why}; ${release.environment} still runs ${release.previousImage}`;
    case "failed":
      return `${head} failed${why}`;
    default:
      return `${head} is still ${release.status} after ${timeoutSeconds ?? "?"}s (step ${stepLabel(release)}, weight ${release.weight}%)${why}`;
  }
}

/** The exit code a CI job goes by: 0 succeeded, 3 rolled back or aborted, 1 failed, 4 still running at the timeout. */
export function releaseExitCode(release: Release): ExitCode {
  switch (release.status) {
    case "succeeded":
      return exitCodes.ok;
    case "rolledBack":
    case "aborted":
      return exitCodes.rolledBack;
    case "failed":
      return exitCodes.failed;
    case "awaitingApproval":
    case "progressing":
    case "paused":
      return exitCodes.timedOut;
  }
}

export function stepLabel(release: { readonly step: number; readonly stepCount: number }): string {
  return `${Math.min(release.step + 1, release.stepCount)}/${release.stepCount}`;
}
