/**
 * Pure assessment of measurements, following Argo Rollouts' AnalysisRun:
 * each measurement has a phase; a metric's phase follows from how many
 * measurements failed, were inconclusive or errored against its limits; an
 * analysis takes the worst phase of its metrics.
 */

/** Phases in order of severity, mildest first (Argo's order). */
export const PHASES = ["successful", "inconclusive", "error", "failed"] as const;
export type Phase = (typeof PHASES)[number];

/** A metric or analysis that needs more measurements. */
export type Assessment = Phase | "running";

export interface MetricLimits {
  /** Measurements (not counting errors) after which a metric that has not failed is successful. */
  readonly count: number;
  /** More failed measurements than this fail the metric. */
  readonly failureLimit: number;
  /** More inconclusive measurements than this make the metric inconclusive. */
  readonly inconclusiveLimit: number;
  /** More errors in a row than this put the metric in `error`. */
  readonly consecutiveErrorLimit: number;
}

export interface Tally {
  /** Completed measurements: everything but errors (Argo retries errors without counting them). */
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly errors: number;
  readonly consecutiveErrors: number;
}

export function severity(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** The most severe phase; `undefined` for none. */
export function worstPhase(phases: readonly Phase[]): Phase | undefined {
  let worst: Phase | undefined;
  for (const phase of phases) if (worst === undefined || severity(phase) > severity(worst)) worst = phase;
  return worst;
}

export function tally(phases: readonly Phase[]): Tally {
  let successful = 0;
  let failed = 0;
  let inconclusive = 0;
  let errors = 0;
  let consecutiveErrors = 0;
  for (const phase of phases) {
    if (phase === "error") {
      errors++;
      consecutiveErrors++;
      continue;
    }
    consecutiveErrors = 0;
    if (phase === "successful") successful++;
    else if (phase === "failed") failed++;
    else inconclusive++;
  }
  return { count: successful + failed + inconclusive, successful, failed, inconclusive, errors, consecutiveErrors };
}

/** The phase of one metric after the given measurements (in order), or `running` if it needs more. */
export function assessMetric(phases: readonly Phase[], limits: MetricLimits): Assessment {
  const t = tally(phases);
  if (t.failed > limits.failureLimit) return "failed";
  if (t.inconclusive > limits.inconclusiveLimit) return "inconclusive";
  if (t.consecutiveErrors > limits.consecutiveErrorLimit) return "error";
  if (t.count >= limits.count) return "successful";
  return "running";
}

/**
 * The phase of an analysis from its metrics' assessments. A failed or errored
 * metric decides at once (no point measuring the rest); otherwise the
 * analysis runs until every metric is done and takes the worst phase. No
 * metrics at all is successful: there was nothing to check.
 */
export function assessAnalysis(metrics: readonly Assessment[]): Assessment {
  const done = metrics.filter((m): m is Phase => m !== "running");
  const worst = worstPhase(done);
  if (worst === "failed" || worst === "error") return worst;
  if (done.length < metrics.length) return "running";
  return worst ?? "successful";
}
