/**
 * `MetricProvider` over a plain HTTP JSON endpoint, for a backend without a
 * provider of its own (a small adapter in front of Datadog, CloudWatch, a
 * database, ...):
 *
 *   GET <url>?query=<query>&window=<seconds>      (Accept: application/json)
 *   → 2xx { "value": 0.0123 }   a number
 *   → 2xx { "value": null }     no data
 *   → 2xx { "value": "NaN" }    NaN; "+Inf" and "-Inf" for infinities (JSON has no such numbers)
 *   → { "error": "..." }        an error measurement, whatever the status; so is any non-2xx
 *
 * The built-in checks' queries are JSON objects, keys in this order and the
 * selector's sorted, for the endpoint to answer:
 *
 *   {"metric":"request_count","track":"canary","selector":{"app":"web"}}
 *   {"metric":"error_ratio","track":"stable","selector":{}}
 *   {"metric":"latency_quantile","track":"canary","selector":{},"quantile":0.99}
 *
 * Custom queries are sent as written. The window is always the `window`
 * parameter, never part of the query.
 */
import { z } from "zod";
import type { BuiltInQueries, QueryScope, Track } from "./builtInQueries";
import type { Measurement, MetricProvider, MetricProviderModule, ProviderRuntime } from "./provider";
import { DEFAULT_TIMEOUT_MS, endpointUrlSchema, getJson, httpSettingsShape } from "./providerHttp";

/** The settings a service configures (`ROLLGATE_METRIC_PROVIDER`). */
export const httpJsonSettingsSchema = z
  .object({
    /** The endpoint; its own query parameters are kept. */
    url: endpointUrlSchema,
    ...httpSettingsShape,
  })
  .strict();

export type HttpJsonSettings = z.output<typeof httpJsonSettingsSchema>;

export interface HttpJsonOptions extends HttpJsonSettings, ProviderRuntime {}

const ERROR_DETAIL_LIMIT = 200;

const NON_FINITE = { NaN: Number.NaN, "+Inf": Number.POSITIVE_INFINITY, "-Inf": Number.NEGATIVE_INFINITY } as const;

const answerSchema = z.union([
  z.object({ error: z.string() }),
  z.object({ value: z.union([z.number(), z.null(), z.enum(["NaN", "+Inf", "-Inf"])]) }),
]);

/** The built-in queries as JSON descriptions. */
export const httpJsonQueries: BuiltInQueries = {
  requestCount: (track, scope) => builtInQuery("request_count", track, scope),
  errorRatio: (track, scope) => builtInQuery("error_ratio", track, scope),
  latencyQuantile: (track, quantile, scope) => {
    if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be between 0 and 1 (exclusive), got ${quantile}`);
    return builtInQuery("latency_quantile", track, scope, { quantile });
  },
};

function builtInQuery(metric: string, track: Track, scope: QueryScope, extra: Readonly<Record<string, number>> = {}): string {
  const selector = Object.fromEntries(Object.entries(scope.selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ metric, track, selector, ...extra });
}

export class HttpJsonProvider implements MetricProvider {
  readonly kind = "http-json";
  readonly builtInQueries = httpJsonQueries;
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpJsonOptions) {
    this.endpoint = new URL(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async measure(query: string, windowSeconds: number, signal?: AbortSignal): Promise<Measurement> {
    const url = new URL(this.endpoint);
    url.searchParams.set("query", query);
    url.searchParams.set("window", String(windowSeconds));
    const result = await getJson({ url, headers: this.options.headers, timeoutMs: this.timeoutMs, fetch: this.fetch, signal });
    if ("error" in result) return { value: null, error: result.error };

    const { status, ok, body } = result.answer;
    const parsed = answerSchema.safeParse(body);
    const answer = parsed.success ? parsed.data : undefined;
    if (answer && "error" in answer) return { value: null, error: `${ok ? "" : `HTTP ${status}: `}${answer.error.slice(0, ERROR_DETAIL_LIMIT)}` };
    if (!ok) return { value: null, error: `HTTP ${status}` };
    if (!answer) return { value: null, error: `unexpected response (HTTP ${status}): expected {"value": number | null}` };
    return { value: typeof answer.value === "string" ? NON_FINITE[answer.value] : answer.value };
  }
}

/** The registry's entry: the endpoint's settings and how to build the provider. */
export const httpJsonModule: MetricProviderModule<HttpJsonSettings> = {
  settingsSchema: httpJsonSettingsSchema,
  create: (settings, runtime) => new HttpJsonProvider({ ...settings, ...runtime }),
};
