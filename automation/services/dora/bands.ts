/**
 * DORA performance bands, from the performance-level table of the 2023
 * Accelerate State of DevOps Report (Google Cloud / DORA). Where the report
 * gives a range, its bounds are used; where it gives a typical value (change
 * failure rate: 5 %, 10 %, 15 %, 64 %), a value at or below a band's figure is
 * in that band; where the low band overlaps medium (deployment frequency and
 * lead time share "between once per week and once per month"), low is
 * everything worse than medium.
 */
export const DORA_THRESHOLDS_SOURCE = "2023 Accelerate State of DevOps Report (DORA), performance-level table";

export const BANDS = ["elite", "high", "medium", "low"] as const;
export type Band = (typeof BANDS)[number];

const hour = 3600;
const day = 24 * hour;
const week = 7 * day;
const month = 30 * day;

export interface BandBounds {
  readonly elite: number;
  readonly high: number;
  readonly medium: number;
}

/** The thresholds, for the API, the README and the dashboard. */
export const bandThresholds: {
  readonly deploymentFrequencyPerDay: BandBounds;
  readonly leadTimeSeconds: BandBounds;
  readonly changeFailureRate: BandBounds;
  readonly timeToRestoreSeconds: BandBounds;
} = {
  /** Production deployments per day: elite on demand (daily or more), high at least weekly, medium at least monthly. */
  deploymentFrequencyPerDay: { elite: 1, high: 1 / 7, medium: 1 / 30 },
  /** Commit → production, median seconds: elite < 1 day, high < 1 week, medium < 1 month. */
  leadTimeSeconds: { elite: day, high: week, medium: month },
  /** Failed ÷ finished releases: elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %. */
  changeFailureRate: { elite: 0.05, high: 0.1, medium: 0.15 },
  /** Failure → next successful release, median seconds: elite < 1 hour, high < 1 day, medium < 1 week. */
  timeToRestoreSeconds: { elite: hour, high: day, medium: week },
};

/** Higher is better. */
export function deploymentFrequencyBand(perDay: number): Band {
  const t = bandThresholds.deploymentFrequencyPerDay;
  if (perDay >= t.elite) return "elite";
  if (perDay >= t.high) return "high";
  if (perDay >= t.medium) return "medium";
  return "low";
}

export function leadTimeBand(seconds: number): Band {
  return below(seconds, bandThresholds.leadTimeSeconds);
}

export function timeToRestoreBand(seconds: number): Band {
  return below(seconds, bandThresholds.timeToRestoreSeconds);
}

export function changeFailureRateBand(ratio: number): Band {
  const t = bandThresholds.changeFailureRate;
  if (ratio <= t.elite) return "elite";
  if (ratio <= t.high) return "high";
  if (ratio <= t.medium) return "medium";
  return "low";
}

/** Lower is better; each bound is exclusive. */
function below(value: number, t: BandBounds): Band {
  if (value < t.elite) return "elite";
  if (value < t.high) return "high";
  if (value < t.medium) return "medium";
  return "low";
}
