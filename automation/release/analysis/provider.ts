/**
 * The narrow port through which the release controller reads metrics. One
 * file per implementation (`prometheus.ts`, ...) and one line in `registry.ts`.
 */
import type { z } from "zod";
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

/** What a provider gets besides its settings. */
export interface ProviderRuntime {
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * Everything the registry needs of a provider's module: its settings schema
 * (what a service configures, `kind` aside) and how to build the provider.
 */
export interface MetricProviderModule<Settings> {
  readonly settingsSchema: z.ZodType<Settings, z.ZodTypeDef, unknown>;
  create(settings: Settings, runtime: ProviderRuntime): MetricProvider;
}

/** True for a measurement that carries no usable number (empty result or NaN). */
export function hasNoData(value: number | null): boolean {
  return value === null || Number.isNaN(value);
}
