import { describe, expect, it } from "vitest";
import {
  applyTrafficGate,
  buildChecks,
  buildTrafficGate,
  evaluateCustom,
  evaluateErrorRate,
  evaluateLatency,
  evaluateRound,
  evaluateTraffic,
  finiteOrNull,
} from "../../../../automation/release/analysis/checks";
import { parseCondition } from "../../../../automation/release/analysis/condition";
import { fakeQueries } from "../fakes";
import { analysisConfigSchema } from "../../../../automation/release/schemas";

const defaults = analysisConfigSchema.parse({});
const errorRate = defaults.errorRate;
const latency = defaults.latency;

describe("error-rate check", () => {
  it("passes a canary within 1% and within twice stable's ratio", () => {
    expect(evaluateErrorRate(0.004, 0.003, errorRate)).toMatchObject({ phase: "successful", value: 0.004, threshold: 0.006 });
  });

  it("fails a canary over the 1% absolute bound even when stable is as bad", () => {
    expect(evaluateErrorRate(0.2, 0.2, errorRate)).toMatchObject({ phase: "failed", threshold: 0.01 });
  });

  it("fails a canary under 1% but over twice stable's ratio", () => {
    const evaluation = evaluateErrorRate(0.008, 0.001, errorRate);
    expect(evaluation).toMatchObject({ phase: "failed", threshold: 0.002 });
    expect(evaluation.detail).toBe("canary 5xx ratio 0.8% > 0.2% = min(absolute 1%, max(2× stable 0.1%, floor 0.1%))");
  });

  it("does not hold the canary below the noise floor when stable has no errors", () => {
    expect(evaluateErrorRate(0.0008, 0, errorRate)).toMatchObject({ phase: "successful", threshold: 0.001 });
    expect(evaluateErrorRate(0.0015, 0, errorRate)).toMatchObject({ phase: "failed", threshold: 0.001 });
  });

  it("applies only the absolute bound when stable has no data or NaN", () => {
    expect(evaluateErrorRate(0.005, null, errorRate)).toMatchObject({ phase: "successful", threshold: 0.01 });
    expect(evaluateErrorRate(0.005, Number.NaN, errorRate).detail).toContain("stable ratio unavailable (NaN), relative bound skipped");
  });

  it("is inconclusive without canary data (empty result or NaN)", () => {
    expect(evaluateErrorRate(null, 0.001, errorRate)).toMatchObject({ phase: "inconclusive", value: null });
    expect(evaluateErrorRate(Number.NaN, 0.001, errorRate).detail).toContain("NaN");
  });
});

describe("latency check", () => {
  it("passes a canary p99 within three times stable's", () => {
    const evaluation = evaluateLatency(0.5, 0.2, latency);
    expect(evaluation.phase).toBe("successful");
    expect(evaluation.threshold).toBeCloseTo(0.6);
  });

  it("fails a canary p99 over three times stable's", () => {
    const evaluation = evaluateLatency(1.2, 0.2, latency);
    expect(evaluation.phase).toBe("failed");
    expect(evaluation.detail).toBe("canary p99 1.2s > 0.6s = max(3× stable 0.2s, floor 0.01s)");
  });

  it("holds the canary to the absolute bound when one is set", () => {
    expect(evaluateLatency(0.9, 0.5, { ...latency, maxSeconds: 0.8 })).toMatchObject({ phase: "failed", threshold: 0.8 });
    expect(evaluateLatency(0.9, null, { ...latency, maxSeconds: 0.8 })).toMatchObject({ phase: "failed", threshold: 0.8 });
  });

  it("passes with no bound when stable has no data and no absolute bound is set", () => {
    expect(evaluateLatency(3, Number.NaN, latency)).toMatchObject({ phase: "successful", threshold: null });
  });

  it("fails an infinite canary quantile (requests beyond the largest bucket)", () => {
    expect(evaluateLatency(Number.POSITIVE_INFINITY, 0.2, latency)).toMatchObject({ phase: "failed", value: null });
  });

  it("is inconclusive without canary data", () => {
    expect(evaluateLatency(Number.NaN, 0.2, latency).phase).toBe("inconclusive");
  });
});

describe("custom query check", () => {
  const success = { source: "result < 0.05", parsed: parseCondition("result < 0.05") };
  const failure = { source: "result > 0.1", parsed: parseCondition("result > 0.1") };

  it("with only a success condition fails when it is not met", () => {
    expect(evaluateCustom(0.01, { success }).phase).toBe("successful");
    expect(evaluateCustom(0.07, { success }).phase).toBe("failed");
  });

  it("with only a failure condition succeeds when it is not met", () => {
    expect(evaluateCustom(0.07, { failure }).phase).toBe("successful");
    expect(evaluateCustom(0.2, { failure }).phase).toBe("failed");
  });

  it("with both is inconclusive between them", () => {
    expect(evaluateCustom(0.01, { success, failure }).phase).toBe("successful");
    expect(evaluateCustom(0.07, { success, failure }).phase).toBe("inconclusive");
    expect(evaluateCustom(0.2, { success, failure }).phase).toBe("failed");
  });

  it("is inconclusive on an empty result or NaN", () => {
    expect(evaluateCustom(null, { success })).toMatchObject({ phase: "inconclusive", detail: "query returned empty result (success: result < 0.05)" });
    expect(evaluateCustom(Number.NaN, { success }).phase).toBe("inconclusive");
  });
});

describe("traffic gate", () => {
  it("is inconclusive below the minimum and counts no series as zero", () => {
    expect(evaluateTraffic(12, 50)).toMatchObject({ phase: "inconclusive", value: 12, threshold: 50 });
    expect(evaluateTraffic(null, 50)).toMatchObject({ phase: "inconclusive", value: 0 });
    expect(evaluateTraffic(50, 50).phase).toBe("successful");
  });

  it("turns a verdict on too little traffic into inconclusive, but leaves errors alone", () => {
    const gate = evaluateTraffic(3, 50);
    expect(applyTrafficGate(evaluateErrorRate(0.5, 0, errorRate), gate).phase).toBe("inconclusive");
    expect(applyTrafficGate(evaluateErrorRate(0, 0, errorRate), gate).phase).toBe("inconclusive");
    expect(applyTrafficGate({ phase: "error", value: null, threshold: null, detail: "x" }, gate).phase).toBe("error");
    expect(applyTrafficGate(evaluateErrorRate(0.5, 0, errorRate), evaluateTraffic(500, 50)).phase).toBe("failed");
  });

  it("is off when the minimum is 0", () => {
    expect(buildTrafficGate({ ...defaults, minRequests: 0 }, fakeQueries)).toBeUndefined();
  });

  it("counts canary requests in the provider's query language", () => {
    expect(buildTrafficGate(defaults, fakeQueries)?.query).toBe(fakeQueries.requestCount("canary", { selector: {}, windowSeconds: 300 }));
  });
});

describe("a round", () => {
  it("is an error when any of the check's queries failed", () => {
    const [check] = buildChecks(defaults, fakeQueries);
    expect(evaluateRound(check!, { canary: { value: null, error: "HTTP 503" }, stable: { value: 0.001 } })).toMatchObject({
      phase: "error",
      detail: "canary query failed: HTTP 503",
    });
  });

  it("is judged by the check otherwise", () => {
    const [check] = buildChecks(defaults, fakeQueries);
    expect(evaluateRound(check!, { canary: { value: 0.5 }, stable: { value: 0.001 } }).phase).toBe("failed");
  });
});

describe("building checks", () => {
  it("includes the enabled built-ins, then custom queries", () => {
    const config = analysisConfigSchema.parse({ latency: { enabled: false }, queries: [{ name: "queue-depth", query: "max(queue_depth)", failureCondition: "result > 100" }] });
    const checks = buildChecks(config, fakeQueries);
    expect(checks.map((c) => c.name)).toEqual(["error-rate", "queue-depth"]);
    expect(checks[1]?.evaluate({ result: 150 }).phase).toBe("failed");
  });

  it("takes the built-ins' queries from the provider's query language, for the release's selector and window", () => {
    const config = analysisConfigSchema.parse({ windowSeconds: 120, selector: { app: "web" }, latency: { quantile: 0.95 } });
    const scope = { selector: { app: "web" }, windowSeconds: 120 };

    const [errorRate, latencyCheck] = buildChecks(config, fakeQueries);

    expect(errorRate?.queries).toEqual({ canary: fakeQueries.errorRatio("canary", scope), stable: fakeQueries.errorRatio("stable", scope) });
    expect(latencyCheck?.queries).toEqual({
      canary: fakeQueries.latencyQuantile("canary", 0.95, scope),
      stable: fakeQueries.latencyQuantile("stable", 0.95, scope),
    });
  });

  it("compares the canary against the baseline track when the release asks for it, naming it in queries and details", () => {
    const config = analysisConfigSchema.parse({ compareTo: "baseline", latency: { enabled: true } });
    const scope = { selector: {}, windowSeconds: 300 };

    const [errorRateCheck, latencyCheck] = buildChecks(config, fakeQueries);

    expect(errorRateCheck?.queries).toEqual({ canary: fakeQueries.errorRatio("canary", scope), baseline: fakeQueries.errorRatio("baseline", scope) });
    expect(latencyCheck?.queries).toEqual({
      canary: fakeQueries.latencyQuantile("canary", 0.99, scope),
      baseline: fakeQueries.latencyQuantile("baseline", 0.99, scope),
    });
    const failed = errorRateCheck?.evaluate({ canary: 0.008, baseline: 0.002, stable: 0.009 });
    expect(failed).toMatchObject({ phase: "failed", threshold: 0.004 });
    expect(failed?.detail).toBe("canary 5xx ratio 0.8% > 0.4% = min(absolute 1%, max(2× baseline 0.2%, floor 0.1%))");
    expect(latencyCheck?.evaluate({ canary: 0.5, baseline: null }).detail).toContain("baseline unavailable (empty result), relative bound skipped");
  });

  it("passes custom queries to the provider as written", () => {
    const config = analysisConfigSchema.parse({ queries: [{ name: "queue-depth", query: "max(queue_depth[$window])", failureCondition: "result > 100" }] });
    expect(buildChecks(config, fakeQueries).at(-1)?.queries).toEqual({ result: "max(queue_depth[$window])" });
  });

  it("keeps records JSON-safe", () => {
    expect([finiteOrNull(1), finiteOrNull(Number.NaN), finiteOrNull(Number.POSITIVE_INFINITY), finiteOrNull(null)]).toEqual([1, null, null, null]);
  });
});
