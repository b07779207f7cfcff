/**
 * The built-in checks' queries, described without a query language: which
 * track, which labels, which window. Each `MetricProvider` translates them
 * into its own (PromQL for Prometheus, ...), so the checks never build a
 * query themselves.
 */

export type Track = "stable" | "canary" | "baseline";

/** The track the canary is compared against: the whole stable fleet, or a baseline (stable's image at the canary's size). */
export type ReferenceTrack = Extract<Track, "stable" | "baseline">;

export interface QueryScope {
  /** Extra label matchers on the request metrics (`{ app: "web", namespace: "shop" }`). */
  readonly selector: Readonly<Record<string, string>>;
  /** The window the value is measured over, in seconds. */
  readonly windowSeconds: number;
}

/**
 * A provider's native query for each built-in measurement. Pure; a
 * description the provider cannot express throws a `RangeError`.
 */
export interface BuiltInQueries {
  /** Requests the track served over the window; empty when it served none. */
  requestCount(track: Track, scope: QueryScope): string;
  /** Share of the track's requests that answered 5xx over the window (0..1); empty or NaN without traffic. */
  errorRatio(track: Track, scope: QueryScope): string;
  /** The `quantile` (0 < q < 1) of the track's request duration in seconds over the window; NaN without traffic. */
  latencyQuantile(track: Track, quantile: number, scope: QueryScope): string;
}

/** Selector label names (Prometheus's rule, which the other providers accept as well). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels the built-in queries set themselves (the track, the status code, the latency bucket); a selector must not override them. */
export const RESERVED_LABELS: readonly string[] = ["track", "code", "le"];
