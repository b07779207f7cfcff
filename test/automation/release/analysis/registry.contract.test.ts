/**
 * What every registered metric provider offers besides measuring (which
 * `providerContract.ts` covers against each one's backend): settings parsed
 * from the service's configuration, a provider of the registered kind, and
 * every built-in query in its own language.
 */
import { describe, expect, it } from "vitest";
import type { BuiltInQueries, QueryScope, Track } from "../../../../automation/release/analysis/builtInQueries";
import {
  createMetricProvider,
  METRIC_PROVIDER_KINDS,
  metricProviderConfigSchema,
  type MetricProviderConfig,
  type MetricProviderKind,
} from "../../../../automation/release/analysis/registry";

/** A configuration per kind; a new provider fails to compile here until it has one. */
const configs: { readonly [K in MetricProviderKind]: Extract<MetricProviderConfig, { kind: K }> } = {
  prometheus: { kind: "prometheus", baseUrl: "http://prometheus.monitoring:9090" },
  "http-json": { kind: "http-json", url: "https://metrics.example/query" },
};

const scope: QueryScope = { selector: { app: "web", namespace: "shop" }, windowSeconds: 300 };
const tracks: readonly Track[] = ["canary", "stable"];

/** Every built-in query the checks ask for, by a readable name. */
function builtIns(language: BuiltInQueries, at: QueryScope = scope): Record<string, string> {
  return Object.fromEntries(
    tracks.flatMap((track) => [
      [`${track} request count`, language.requestCount(track, at)],
      [`${track} error ratio`, language.errorRatio(track, at)],
      [`${track} p99 latency`, language.latencyQuantile(track, 0.99, at)],
      [`${track} p50 latency`, language.latencyQuantile(track, 0.5, at)],
    ]),
  );
}

describe.each(METRIC_PROVIDER_KINDS)("the %s metric provider (registry contract)", (kind) => {
  const config = configs[kind];
  const provider = createMetricProvider(metricProviderConfigSchema.parse(config));

  it("parses its configuration and is created under its registered kind", () => {
    expect(provider.kind).toBe(kind);
  });

  it("supplies every built-in query, each a different non-empty query", () => {
    const queries = Object.values(builtIns(provider.builtInQueries));

    expect(queries.every((query) => query.trim().length > 0)).toBe(true);
    expect(new Set(queries).size).toBe(queries.length);
  });

  it("builds the same queries for the same description, whatever the selector's key order", () => {
    const reordered = { ...scope, selector: { namespace: "shop", app: "web" } };

    expect(builtIns(provider.builtInQueries, reordered)).toEqual(builtIns(provider.builtInQueries));
  });

  it("puts the selector into its built-in queries", () => {
    const other = { ...scope, selector: { app: "api", namespace: "shop" } };

    expect(provider.builtInQueries.errorRatio("canary", other)).not.toBe(provider.builtInQueries.errorRatio("canary", scope));
  });

  it("refuses a quantile outside (0, 1)", () => {
    expect(() => provider.builtInQueries.latencyQuantile("canary", 1, scope)).toThrow(RangeError);
  });

  it("refuses a setting it does not know, naming it", () => {
    const result = metricProviderConfigSchema.safeParse({ ...config, colour: "blue" });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join("; ")).toContain("colour");
  });
});

describe("metric provider configuration", () => {
  it("refuses an unknown kind, listing the known ones", () => {
    const result = metricProviderConfigSchema.safeParse({ kind: "graphite", url: "http://graphite" });

    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["kind"], message: `must be one of ${METRIC_PROVIDER_KINDS.join(", ")}` })]);
  });

  it("reports a bad setting under its own name", () => {
    const result = metricProviderConfigSchema.safeParse({ kind: "prometheus", baseUrl: "ftp://metrics" });

    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["baseUrl"], message: "must be an http(s) URL" })]);
  });
});
