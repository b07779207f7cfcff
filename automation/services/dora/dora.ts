/**
 * The four DORA figures of one environment over a window, as pure functions
 * of its release records:
 *
 * - deployment frequency: successful releases (promotions) finished in the
 *   window, per day and per week;
 * - lead time for changes: median of commit time → promotion, over the
 *   successful releases that carry a commit time;
 * - change failure rate: releases that rolled back or failed ÷ all finished
 *   (succeeded, rolled back, failed, aborted) in the window;
 * - time to restore: median of first failure → next successful release, per
 *   incident (a run of failed or rolled-back releases) whose first failure
 *   finished in the window; incidents not restored yet are counted apart.
 *
 * A figure with no samples has a null value and no band.
 */
import {
  changeFailureRateBand,
  deploymentFrequencyBand,
  leadTimeBand,
  timeToRestoreBand,
  type Band,
} from "./bands";

export type DeliveryStatus = "awaitingApproval" | "progressing" | "paused" | "succeeded" | "rolledBack" | "failed" | "aborted";

/** What DORA needs of a release. */
export interface DeliveryRecord {
  readonly id: string;
  readonly environment: string;
  readonly status: DeliveryStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** When the released commit was made (ISO-8601); lead time needs it. */
  readonly commitTime?: string;
}

export interface DoraFigure {
  readonly value: number | null;
  readonly band: Band | null;
  readonly samples: number;
}

export interface DoraReport {
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  /** Successful releases per day (`value`) and per week. */
  readonly deploymentFrequency: DoraFigure & { readonly perWeek: number };
  /** Median seconds from commit to production. */
  readonly leadTimeForChanges: DoraFigure & { readonly withoutCommitTime: number };
  /** Ratio 0..1 of failed (rolled back or failed) to finished releases. */
  readonly changeFailureRate: DoraFigure & { readonly failed: number; readonly finished: number };
  /** Median seconds from a failed release to the next successful one. */
  readonly timeToRestore: DoraFigure & { readonly unrestored: number };
}

const dayMs = 86_400_000;
const FINISHED: ReadonlySet<DeliveryStatus> = new Set(["succeeded", "rolledBack", "failed", "aborted"]);
const FAILED: ReadonlySet<DeliveryStatus> = new Set(["rolledBack", "failed"]);

export function computeDora(records: readonly DeliveryRecord[], environment: string, windowMs: number, now: Date): DoraReport {
  const to = now.getTime();
  const from = to - windowMs;
  const history = records
    .filter((record) => record.environment === environment && record.finishedAt !== null && FINISHED.has(record.status))
    .map((record) => ({ ...record, finished: Date.parse(record.finishedAt ?? "") }))
    .filter((record) => record.finished <= to)
    .sort((a, b) => a.finished - b.finished || a.id.localeCompare(b.id));
  const inWindow = history.filter((record) => record.finished >= from);
  const successes = inWindow.filter((record) => record.status === "succeeded");

  const perDay = successes.length / (windowMs / dayMs);
  const leadTimes = successes.flatMap((record) => {
    const committed = record.commitTime === undefined ? Number.NaN : Date.parse(record.commitTime);
    return Number.isNaN(committed) ? [] : [Math.max(0, record.finished - committed) / 1000];
  });
  const failed = inWindow.filter((record) => FAILED.has(record.status)).length;
  const restores = incidents(history).filter((incident) => incident.start >= from);
  const restoreTimes = restores.flatMap((incident) => (incident.end === undefined ? [] : [(incident.end - incident.start) / 1000]));

  const figure = (value: number | null, samples: number, band: (value: number) => Band): DoraFigure => ({
    value: samples === 0 ? null : value,
    band: samples === 0 || value === null ? null : band(value),
    samples,
  });
  return {
    environment,
    from: new Date(from).toISOString(),
    to: now.toISOString(),
    deploymentFrequency: {
      ...figure(perDay, successes.length, deploymentFrequencyBand),
      value: perDay,
      perWeek: perDay * 7,
    },
    leadTimeForChanges: { ...figure(median(leadTimes), leadTimes.length, leadTimeBand), withoutCommitTime: successes.length - leadTimes.length },
    changeFailureRate: {
      ...figure(inWindow.length === 0 ? null : failed / inWindow.length, inWindow.length, changeFailureRateBand),
      failed,
      finished: inWindow.length,
    },
    timeToRestore: {
      ...figure(median(restoreTimes), restoreTimes.length, timeToRestoreBand),
      unrestored: restores.length - restoreTimes.length,
    },
  };
}

/** Runs of failures in finishing order: the first failure's time and the next success's (if any). Aborts neither start nor end one. */
export function incidents(history: readonly { readonly status: DeliveryStatus; readonly finished: number }[]): { start: number; end?: number }[] {
  const found: { start: number; end?: number }[] = [];
  let open: { start: number; end?: number } | undefined;
  for (const record of history) {
    if (FAILED.has(record.status)) {
      if (!open) {
        open = { start: record.finished };
        found.push(open);
      }
    } else if (record.status === "succeeded" && open) {
      open.end = record.finished;
      open = undefined;
    }
  }
  return found;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}
