import { describe, expect, it } from "vitest";
import { buildChecks, buildTrafficGate } from "../../../../automation/release/analysis/checks";
import { runAnalysis } from "../../../../automation/release/analysis/run";
import { analysisConfigSchema, type AnalysisConfigInput } from "../../../../automation/release/schemas";
import { FakeClock, FakeMetrics, fakeQueries, scriptTraffic, type TrafficNumbers } from "../fakes";

const scope = { selector: {}, windowSeconds: 300 };

function setup(input: AnalysisConfigInput = {}, numbers: TrafficNumbers = {}) {
  const config = analysisConfigSchema.parse(input);
  const metrics = scriptTraffic(new FakeMetrics(), scope, numbers);
  const clock = new FakeClock();
  const run = (signal?: AbortSignal) =>
    runAnalysis({
      provider: metrics,
      checks: buildChecks(config, metrics.builtInQueries),
      gate: buildTrafficGate(config, metrics.builtInQueries),
      plan: config,
      windowSeconds: config.windowSeconds,
      step: 2,
      clock,
      signal,
    });
  return { metrics, clock, run };
}

describe("running an analysis", () => {
  it("takes `count` rounds `interval` apart and succeeds on healthy numbers", async () => {
    const { clock, run } = setup({ count: 3, intervalSeconds: 30 });

    const result = await run();

    expect(result).toMatchObject({ phase: "successful", rounds: 3, metrics: { "error-rate": "successful", latency: "successful" } });
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    expect(result.decisive).toBeUndefined();
  });

  it("records every measurement, the traffic gate included, for the step", async () => {
    const { run } = setup();

    const result = await run();

    expect(result.records.map((r) => [r.step, r.metric, r.phase])).toEqual([
      [2, "request-count", "successful"],
      [2, "error-rate", "successful"],
      [2, "latency", "successful"],
    ]);
    expect(result.records[0]).toMatchObject({ value: 1200, threshold: 50, at: "2026-03-01T09:00:00.000Z" });
  });

  it("stops at the first failure and names it", async () => {
    const { run } = setup({ count: 5 }, { canaryErrors: 0.3 });

    const result = await run();

    expect(result).toMatchObject({ phase: "failed", rounds: 1 });
    expect(result.decisive).toMatchObject({ metric: "error-rate", phase: "failed", value: 0.3 });
  });

  it("retries errors at the interval and reports an error after too many in a row", async () => {
    const { metrics, clock, run } = setup({ consecutiveErrorLimit: 2, intervalSeconds: 10 });
    metrics.set(fakeQueries.latencyQuantile("canary", 0.99, scope), { value: null, error: "HTTP 503" });

    const result = await run();

    expect(result).toMatchObject({ phase: "error", rounds: 3, metrics: { "error-rate": "successful", latency: "error" } });
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(result.decisive?.detail).toBe("canary query failed: HTTP 503");
  });

  it("recovers from an error that clears before the limit", async () => {
    const { metrics, run } = setup();
    metrics.set(fakeQueries.latencyQuantile("canary", 0.99, scope), (call) =>
      call === 1 ? { value: null, error: "timed out after 10000 ms" } : { value: 0.2 },
    );

    const result = await run();

    expect(result).toMatchObject({ phase: "successful", rounds: 2 });
  });

  it("is inconclusive with too little canary traffic, even when the canary looks bad", async () => {
    const { run } = setup({}, { requests: 10, canaryErrors: 0.5 });

    const result = await run();

    expect(result.phase).toBe("inconclusive");
    expect(result.decisive?.detail).toMatch(/^not judged, too little traffic \(10 canary requests in the window < minimum 50\)/);
  });

  it("is inconclusive on NaN and empty results", async () => {
    const { run } = setup({ minRequests: 0 }, { canaryErrors: Number.NaN, canaryP99: null });

    const result = await run();

    expect(result).toMatchObject({ phase: "inconclusive", metrics: { "error-rate": "inconclusive", latency: "inconclusive" } });
  });

  it("honours the inconclusive limit", async () => {
    const { metrics, run } = setup({ count: 3, inconclusiveLimit: 1, minRequests: 0 });
    metrics.set(fakeQueries.errorRatio("canary", scope), (call) =>
      call === 2 ? { value: null } : { value: 0.001 },
    );

    const result = await run();

    expect(result).toMatchObject({ phase: "successful", rounds: 3 });
  });

  it("stops when aborted between rounds", async () => {
    const { clock, run } = setup({ count: 3 });
    const controller = new AbortController();
    clock.onSleep = () => controller.abort(new Error("stop"));

    await expect(run(controller.signal)).rejects.toThrow("stop");
  });

  it("is successful with nothing to check", async () => {
    const { run } = setup({ errorRate: { enabled: false }, latency: { enabled: false } });

    expect(await run()).toMatchObject({ phase: "successful", rounds: 0, records: [] });
  });
});
