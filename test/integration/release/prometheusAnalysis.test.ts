import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusProvider } from "../../../automation/release/analysis/prometheus";
import { errorRatioQuery, latencyQuantileQuery, requestCountQuery } from "../../../automation/release/analysis/promql";
import { SampleApp } from "../../fixtures/sampleApp";
import { eventually } from "../../support/kube";
import { LocalPrometheus } from "../../support/prometheus";

/** Sends batches of requests to `url` for `seconds`, so that several scrapes see the counters grow. */
async function drive(url: string, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((r) => r.text())));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("canary analysis against a real Prometheus scraping the sample app", () => {
  const stable = new SampleApp("stable");
  const canary = new SampleApp("canary", { errorRate: 0.2, extraLatencyMs: 120 });
  const prometheus = new LocalPrometheus();
  const scope = { selector: {}, windowSeconds: 30 };
  let provider: PrometheusProvider;

  beforeAll(async () => {
    const targets = { stable: await stable.start(), canary: await canary.start() };
    provider = new PrometheusProvider({ baseUrl: await prometheus.start(targets) });
    await Promise.all([drive(stable.url(), 8), drive(canary.url(), 8)]);
    // Wait until the scrapes during the traffic are queryable, so rate() has samples to work with.
    const scraped = await eventually(async () => ((await prometheus.query(requestCountQuery("canary", scope))) ?? 0) > 50, 45_000, 1000);
    expect(scraped).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await prometheus.stop();
    await Promise.all([stable.stop(), canary.stop()]);
  });

  it("measures the canary's 5xx ratio near the share it was told to fail", async () => {
    const measurement = await provider.measure(errorRatioQuery("canary", scope), scope.windowSeconds);
    expect(measurement.error).toBeUndefined();
    expect(measurement.value).toBeGreaterThan(0.1);
    expect(measurement.value).toBeLessThan(0.3);
  });

  it("measures a healthy stable at a 0 error ratio, not as missing data", async () => {
    const measurement = await provider.measure(errorRatioQuery("stable", scope), scope.windowSeconds);
    expect(measurement.value).toBe(0);
  });

  it("sees the canary's added latency in its p99 relative to stable", async () => {
    const canaryP99 = (await provider.measure(latencyQuantileQuery("canary", 0.99, scope), scope.windowSeconds)).value;
    const stableP99 = (await provider.measure(latencyQuantileQuery("stable", 0.99, scope), scope.windowSeconds)).value;
    expect(stableP99).toBeLessThan(0.05);
    expect(canaryP99).toBeGreaterThan(0.1);
    expect(canaryP99! / stableP99!).toBeGreaterThan(3);
  });

  it("reports a query error as data, not an exception", async () => {
    const measurement = await provider.measure("sum(rate(http_requests_total[", scope.windowSeconds);
    expect(measurement.value).toBeNull();
    expect(measurement.error).toMatch(/parse|bad_data|unclosed/i);
  });
});
