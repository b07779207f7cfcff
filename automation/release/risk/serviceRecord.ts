/**
 * A service's track record from its release history: change-failure rate,
 * recent rollbacks, the last success and the current streak of successes.
 */
import type { HistoryRelease } from "./signals";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const RECORD_WINDOW_DAYS = 30;
export const RECENT_ROLLBACK_HOURS = 24;

export interface ServiceRecord {
  /** Releases that finished in the last 30 days as succeeded, rolled back or failed (aborts are a person's choice, not a failure). */
  readonly finishedInWindow: number;
  readonly failedInWindow: number;
  /** failed / finished over the last 30 days; undefined with nothing finished. */
  readonly changeFailureRate: number | undefined;
  readonly rollbackInLast24h: boolean;
  readonly rollbackInWindow: boolean;
  readonly lastSuccessAt: Date | undefined;
  /** Successes in the last 30 days since the most recent rolled-back or failed release. */
  readonly consecutiveSuccesses: number;
}

const FAILED_STATUSES: ReadonlySet<string> = new Set(["rolledBack", "failed"]);

interface Finished {
  readonly status: HistoryRelease["status"];
  readonly at: number;
}

export function serviceRecord(history: readonly HistoryRelease[], now: Date): ServiceRecord {
  const finished = finishedNewestFirst(history).filter((release) => release.at <= now.getTime());
  const windowStart = now.getTime() - RECORD_WINDOW_DAYS * DAY_MS;
  const inWindow = finished.filter((release) => release.at >= windowStart && release.status !== "aborted");
  const failed = inWindow.filter((release) => FAILED_STATUSES.has(release.status));
  const lastSuccess = finished.find((release) => release.status === "succeeded");
  const firstFailure = inWindow.findIndex((release) => FAILED_STATUSES.has(release.status));
  return {
    finishedInWindow: inWindow.length,
    failedInWindow: failed.length,
    changeFailureRate: inWindow.length === 0 ? undefined : failed.length / inWindow.length,
    rollbackInLast24h: failed.some((release) => release.at >= now.getTime() - RECENT_ROLLBACK_HOURS * HOUR_MS),
    rollbackInWindow: failed.length > 0,
    lastSuccessAt: lastSuccess === undefined ? undefined : new Date(lastSuccess.at),
    consecutiveSuccesses: (firstFailure === -1 ? inWindow : inWindow.slice(0, firstFailure)).length,
  };
}

function finishedNewestFirst(history: readonly HistoryRelease[]): Finished[] {
  return history
    .flatMap((release): Finished[] => (release.finishedAt === null ? [] : [{ status: release.status, at: Date.parse(release.finishedAt) }]))
    .sort((a, b) => b.at - a.at);
}

/** Whole days between two instants, rounded down. */
export function daysBetween(earlier: Date, later: Date): number {
  return Math.floor((later.getTime() - earlier.getTime()) / DAY_MS);
}
