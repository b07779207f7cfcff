/**
 * `MetricProvider` over the Prometheus HTTP API: an instant query
 * (`GET <baseUrl>/api/v1/query?query=...`) reduced to one number. Every
 * failure — network, timeout, HTTP status, Prometheus error, an unexpected
 * shape — comes back as a measurement with `error`, never as an exception.
 */
import { z } from "zod";
import { formatWindow, promqlQueries } from "./promql";
import type { Measurement, MetricProvider } from "./provider";

export interface PrometheusOptions {
  /** e.g. `http://prometheus.monitoring:9090` (a path prefix such as `/prometheus` is kept). */
  readonly baseUrl: string;
  /** Per-query timeout; default 10 s. */
  readonly timeoutMs?: number;
  /** Extra request headers (e.g. `Authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

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
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

    let body: unknown;
    let status: number;
    try {
      const response = await this.fetch(url, { headers: { accept: "application/json", ...this.options.headers }, signal: combined });
      status = response.status;
      const text = await response.text();
      body = parseJson(text);
      if (!response.ok) return { value: null, error: `HTTP ${status}${describePrometheusError(body) ?? `: ${text.slice(0, 200)}`}` };
    } catch (error) {
      if (signal?.aborted) return { value: null, error: "measurement aborted" };
      if (timeout.aborted) return { value: null, error: `timed out after ${this.timeoutMs} ms` };
      return { value: null, error: `request failed: ${describeCause(error)}` };
    }

    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) return { value: null, error: `unexpected response from Prometheus (HTTP ${status})` };
    return toMeasurement(parsed.data);
  }
}

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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describePrometheusError(body: unknown): string | undefined {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success || parsed.data.status !== "error") return undefined;
  return `: ${parsed.data.errorType ?? "error"}: ${parsed.data.error ?? ""}`.trimEnd();
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
