/**
 * The metric contract shared by the sample app, the dashboards, the alerts
 * and the release analysis. Applications expose the first two; Rollgate's
 * release controller exports the weight gauge.
 */
export const metrics = {
  /** Counter of HTTP requests, labelled `track` (stable|canary|preview) and `code` (status code). */
  requests: "http_requests_total",
  /** Histogram of request durations in seconds, labelled `track` (buckets labelled `le`). */
  durationBucket: "http_request_duration_seconds_bucket",
  /** Gauge: the canary's current traffic weight (0–100), labelled `app` and `namespace`. */
  canaryWeight: "rollgate_canary_weight",
} as const;

/** Escapes a value for use inside a double-quoted PromQL label matcher. */
export function promqlString(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** A PromQL selector body (without braces) scoping series to one app's namespace. */
export function namespaceSelector(namespace: string): string {
  return `namespace="${promqlString(namespace)}"`;
}

/** Joins matchers into a selector body, skipping empty ones. */
export function matchers(...parts: readonly string[]): string {
  return parts.filter((part) => part.length > 0).join(",");
}
