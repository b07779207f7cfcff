/** Summary statistics of repeated measurements. Pure; no I/O. */

/** A measured figure: every sample plus min/median/max (and p50/p99 for latency-like figures). */
export interface Figure {
  readonly unit: string;
  readonly runs: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly samples: readonly number[];
}

/** The median of `samples` (mean of the two middle values for an even count); NaN when empty. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Nearest-rank percentile (`p` in 0..100): the smallest sample with at least p% of samples at or below it; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Rounds to `digits` decimals (figures are stored with a fixed precision so results files diff cleanly). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A figure from its samples; `percentiles` adds p50 and p99 (for latency distributions). */
export function summarize(samples: readonly number[], unit: string, options: { percentiles?: boolean; digits?: number } = {}): Figure {
  if (samples.length === 0) throw new RangeError("cannot summarize an empty list of samples");
  const digits = options.digits ?? 3;
  return {
    unit,
    runs: samples.length,
    min: round(Math.min(...samples), digits),
    median: round(median(samples), digits),
    max: round(Math.max(...samples), digits),
    ...(options.percentiles ? { p50: round(percentile(samples, 50), digits), p99: round(percentile(samples, 99), digits) } : {}),
    samples: samples.map((sample) => round(sample, digits)),
  };
}

/** `numerator / denominator` rounded to 2 decimals; undefined when either is missing or the denominator is 0. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined || denominator === 0 || !Number.isFinite(numerator) || !Number.isFinite(denominator)) {
    return undefined;
  }
  return round(numerator / denominator, 2);
}
