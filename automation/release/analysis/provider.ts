/**
 * The narrow port through which the release controller reads metrics. One
 * file per implementation (`prometheus.ts`, ...) and one line in `registry.ts`.
 */
import type { BuiltInQueries } from "./builtInQueries";

/**
 * The result of one query. A failed query is data, not an exception: the
 * provider returns `{ value: null, error }` and the analysis decides what a
 * failure means (an `error` measurement, retried up to a limit).
 *
 * - `value: null` without `error`: the query returned no data (empty result).
 * - `value: NaN`: the query returned NaN (typically 0/0 when there was no traffic).
 * - `value: ±Infinity`: the backend returned an infinite sample (e.g. a quantile in the `+Inf` bucket).
 */
export interface Measurement {
  readonly value: number | null;
  readonly error?: string;
}

export interface MetricProvider {
  /** Short name for logs, e.g. `prometheus`. */
  readonly kind: string;
  /** The built-in checks' queries in this provider's query language; custom queries are written in it too. */
  readonly builtInQueries: BuiltInQueries;
  /**
   * Evaluates `query` now. `windowSeconds` is the analysis window the query is
   * about (providers that template queries substitute it; see each provider).
   * Never rejects: timeouts, HTTP errors and aborts come back as `error`.
   */
  measure(query: string, windowSeconds: number, signal?: AbortSignal): Promise<Measurement>;
}

/** True for a measurement that carries no usable number (empty result or NaN). */
export function hasNoData(value: number | null): boolean {
  return value === null || Number.isNaN(value);
}
