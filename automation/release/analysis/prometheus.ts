/**
 * `MetricProvider` over the Prometheus HTTP API: an instant query
 * (`GET <baseUrl>/api/v1/query?query=...`) reduced to one number. Every
 * failure — network, timeout, HTTP status, Prometheus error, an unexpected
 * shape — comes back as a measurement with `error`, never as an exception.
 */
import { z } from "zod";
import { formatWindow, promqlQueries } from "./promql";
import type { Measurement, MetricProvider, MetricProviderModule, ProviderRuntime } from "./provider";
import { DEFAULT_TIMEOUT_MS, endpointUrlSchema, getJson, httpSettingsShape } from "./providerHttp";

/** The settings a service configures (`ROLLGATE_METRIC_PROVIDER`). */
export const prometheusSettingsSchema = z
  .object({
    /** e.g. `http://prometheus.monitoring:9090` (a path prefix such as `/prometheus` is kept). */
    baseUrl: endpointUrlSchema,
    ...httpSettingsShape,
  })
  .strict();

export type PrometheusSettings = z.output<typeof prometheusSettingsSchema>;

export interface PrometheusOptions extends PrometheusSettings, ProviderRuntime {}

/** A sample: `[unixSeconds, "value"]`; Prometheus encodes NaN and infinities as strings. */
const sampleSchema = z.tuple([z.number(), z.string()]);

const responseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string()), value: sampleSchema })) }),
      z.object({ resultType: z.literal("scalar"), result: sampleSchema }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal("string"), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string().optional() }),
]);

type PrometheusResponse = z.infer<typeof responseSchema>;

export class PrometheusProvider implements MetricProvider {
  readonly kind = "prometheus";
  readonly builtInQueries = promqlQueries;
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PrometheusOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    } catch {
      throw new TypeError(`\`baseUrl\` must be an absolute URL, got "${options.baseUrl}"`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new TypeError("`baseUrl` must use http or https");
    this.endpoint = new URL("api/v1/query", base);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** `$window` in the query is replaced by the window as a PromQL duration (`300` → `5m`). */
  async measure(query: string, windowSeconds: number, signal?: AbortSignal): Promise<Measurement> {
    const url = new URL(this.endpoint);
    url.searchParams.set("query", query.replaceAll("$window", formatWindow(windowSeconds)));
    const result = await getJson({ url, headers: this.options.headers, timeoutMs: this.timeoutMs, fetch: this.fetch, signal });
    if ("error" in result) return { value: null, error: result.error };
    const { status, ok, text, body } = result.answer;
    if (!ok) return { value: null, error: `HTTP ${status}${describePrometheusError(body) ?? `: ${text.slice(0, 200)}`}` };

    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) return { value: null, error: `unexpected response from Prometheus (HTTP ${status})` };
    return toMeasurement(parsed.data);
  }
}

/** The registry's entry: Prometheus's settings and how to build it. */
export const prometheusModule: MetricProviderModule<PrometheusSettings> = {
  settingsSchema: prometheusSettingsSchema,
  create: (settings, runtime) => new PrometheusProvider({ ...settings, ...runtime }),
};

function toMeasurement(response: PrometheusResponse): Measurement {
  if (response.status === "error") return { value: null, error: `Prometheus error: ${response.errorType ?? "unknown"}: ${response.error ?? ""}`.trimEnd() };
  const data = response.data;
  switch (data.resultType) {
    case "scalar":
      return sampleValue(data.result[1]);
    case "vector": {
      const [first, ...rest] = data.result;
      if (first === undefined) return { value: null };
      if (rest.length > 0) return { value: null, error: `query returned ${data.result.length} series; it must return one (aggregate with sum or similar)` };
      return sampleValue(first.value[1]);
    }
    default:
      return { value: null, error: `query returned a ${data.resultType}; it must return an instant vector or a scalar` };
  }
}

/** `"0.5"` → 0.5, `"NaN"` → NaN, `"+Inf"` → Infinity. */
export function parseSampleValue(text: string): number | undefined {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  return text.trim() === "" || Number.isNaN(value) ? undefined : value;
}

function sampleValue(text: string): Measurement {
  const value = parseSampleValue(text);
  return value === undefined ? { value: null, error: `sample value "${text}" is not a number` } : { value };
}

function describePrometheusError(body: unknown): string | undefined {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success || parsed.data.status !== "error") return undefined;
  return `: ${parsed.data.errorType ?? "error"}: ${parsed.data.error ?? ""}`.trimEnd();
}
