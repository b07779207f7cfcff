/**
 * Prometheus's built-in queries: pure PromQL builders for the canary checks.
 * Metric names follow the sample app's instrumentation:
 *
 * - `http_requests_total{track, code}` (counter)
 * - `http_request_duration_seconds_bucket{track, le}` (histogram)
 *
 * `track` is `stable`, `canary` or `baseline`; the caller's selector (e.g. `app`,
 * `namespace`) is added to every matcher.
 */

import { LABEL_NAME, RESERVED_LABELS, type BuiltInQueries, type QueryScope, type Track } from "./builtInQueries";

export const REQUESTS_METRIC = "http_requests_total";
export const DURATION_BUCKET_METRIC = "http_request_duration_seconds_bucket";

/** Escapes a label value for a double-quoted PromQL string. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A PromQL duration: `300` → `5m`, `3600` → `1h`, `90` → `90s`. */
export function formatWindow(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RangeError(`window must be a positive whole number of seconds, got ${seconds}`);
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `{track="canary",code=~"5..",app="web"}` — the track first, then extra matchers, then the selector in key order. */
export function matchers(track: Track, selector: QueryScope["selector"], extra: readonly string[] = []): string {
  const fromSelector = Object.keys(selector)
    .sort()
    .map((name) => {
      if (!LABEL_NAME.test(name)) throw new RangeError(`invalid label name "${name}"`);
      if (RESERVED_LABELS.includes(name)) throw new RangeError(`label "${name}" is set by the query builder`);
      return `${name}="${escapeLabelValue(selector[name] ?? "")}"`;
    });
  return `{${[`track="${track}"`, ...extra, ...fromSelector].join(",")}}`;
}

/** Requests served by a track over the window. Empty when the track has never served a request. */
export function requestCountQuery(track: Track, scope: QueryScope): string {
  return `sum(increase(${REQUESTS_METRIC}${matchers(track, scope.selector)}[${formatWindow(scope.windowSeconds)}]))`;
}

/**
 * Share of a track's requests that answered 5xx over the window (0..1).
 * `or vector(0)` keeps a service that never returned a 5xx (so has no such
 * series) at 0 rather than "no data"; without traffic the result is empty or NaN.
 */
export function errorRatioQuery(track: Track, scope: QueryScope): string {
  const window = formatWindow(scope.windowSeconds);
  const errors = `sum(rate(${REQUESTS_METRIC}${matchers(track, scope.selector, ['code=~"5.."'])}[${window}]))`;
  const all = `sum(rate(${REQUESTS_METRIC}${matchers(track, scope.selector)}[${window}]))`;
  return `(${errors} or vector(0)) / ${all}`;
}

/** The `quantile` (e.g. 0.99) of a track's request duration in seconds over the window; NaN without traffic. */
export function latencyQuantileQuery(track: Track, quantile: number, scope: QueryScope): string {
  if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be between 0 and 1 (exclusive), got ${quantile}`);
  const window = formatWindow(scope.windowSeconds);
  return `histogram_quantile(${quantile}, sum by (le) (rate(${DURATION_BUCKET_METRIC}${matchers(track, scope.selector)}[${window}])))`;
}

/** The built-in queries in PromQL, as `PrometheusProvider` offers them. */
export const promqlQueries: BuiltInQueries = {
  requestCount: requestCountQuery,
  errorRatio: errorRatioQuery,
  latencyQuantile: latencyQuantileQuery,
};
