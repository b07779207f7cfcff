/**
 * Rollback: a canary that fails 30% of its requests, real Prometheus
 * scraping the sample app's two tracks, and a traffic driver that splits
 * requests by the live HTTPRoute weight (the local cluster has no data
 * plane). Timed from the failed measurement (its `at` in the release
 * record) until the HTTPRoute gives the canary 0.
 */
import { SampleApp } from "../../test/fixtures/sampleApp";
import { LocalPrometheus } from "../../test/support/prometheus";
import { TrafficDriver } from "../../test/support/trafficDriver";
import { liveWeight, whenWeight } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { ENVIRONMENT } from "../lib/environment";
import { progress } from "../lib/progress";
import { abortIfActive, startRelease, TERMINAL_RELEASE_STATUSES, waitForStatus } from "../lib/releases";
import { firstMs, firstTime } from "../lib/serviceLogs";

const CANARY_ERROR_RATE = 0.3;
const WEIGHT = 20;
/**
 * The default checks' queries (`http_requests_total{track}` and the latency
 * histogram) match the sample app's labels with an empty selector; only the
 * benchmark's Prometheus scrapes these apps. Latency is off so only the
 * error rate decides; a 30 s window and 2 s interval keep a run short.
 */
const FAILING_ANALYSIS = {
  windowSeconds: 30,
  intervalSeconds: 2,
  count: 1,
  minRequests: 5,
  latency: { enabled: false },
  inconclusive: { action: "extend", maxExtensions: 10, whenExhausted: "fail" },
};

/** Prometheus and the two sample-app tracks; started before the service, which needs ROLLGATE_PROMETHEUS_URL. */
export class MetricsFixture {
  readonly stable = new SampleApp("stable");
  readonly canary = new SampleApp("canary", { errorRate: CANARY_ERROR_RATE, extraLatencyMs: 0 });
  readonly prometheus = new LocalPrometheus();

  async start(): Promise<string> {
    const targets = { stable: await this.stable.start(), canary: await this.canary.start() };
    return this.prometheus.start(targets);
  }

  async stop(): Promise<void> {
    await this.prometheus.stop();
    await Promise.all([this.stable.stop(), this.canary.stop()]);
  }
}

export async function rollbackScenario(ctx: BenchContext, metrics: MetricsFixture): Promise<void> {
  const { service, api } = ctx.running();
  const driver = new TrafficDriver(
    { stable: metrics.stable.url(), canary: metrics.canary.url() },
    async () => (await liveWeight(ctx.kube, ctx.target)) ?? 0,
  );
  driver.start();
  const stopDriver = ctx.cleanup.defer("stop the traffic driver", () => driver.stop());

  const samples: number[] = [];
  const decision: number[] = [];
  const engine: number[] = [];
  const brake: number[] = [];
  try {
    for (let run = 0; run < ctx.settings.runs; run++) {
      const image = `ghcr.io/rollgate/sample-app:bench-bad-${run + 1}`;
      const id = await startRelease(api, {
        environment: ENVIRONMENT.environment,
        image,
        steps: [{ weight: WEIGHT, pauseSeconds: 5 }],
        analysis: FAILING_ANALYSIS,
      });
      const finish = ctx.cleanup.defer(`abort release ${id}`, () => abortIfActive(api, id));
      progress(`rollback ${run + 1}/${ctx.settings.runs}: release ${id} of ${image}, canary failing ${CANARY_ERROR_RATE * 100}%`);
      let backAt: number;
      let release: Awaited<ReturnType<typeof waitForStatus>>;
      try {
        await whenWeight(ctx.kube, ctx.target, (w) => w === WEIGHT, { timeoutMs: 600_000, what: `canary weight ${WEIGHT}%` });
        const back = await whenWeight(ctx.kube, ctx.target, (w) => w === 0, { timeoutMs: 600_000, what: "canary weight back to 0" });
        backAt = performance.timeOrigin + back.at;
        release = await waitForStatus(api, id, TERMINAL_RELEASE_STATUSES, 600_000);
      } finally {
        await finish();
      }
      if (release.status !== "rolledBack") throw new Error(`release ${id} ended ${release.status}, not rolledBack: ${release.reason ?? ""}`);
      const failed = release.analysis.find((record) => record.phase === "failed");
      if (!failed) throw new Error(`release ${id} rolled back without a failed measurement: ${release.reason ?? ""}`);
      const failedAt = Date.parse(failed.at);
      samples.push((backAt - failedAt) / 1000);

      const rollingBackAt = firstTime(service, failedAt, "rolling back");
      const engineMs = firstMs(service, failedAt, "rollback: all traffic to stable: done");
      const brakeMs = firstMs(service, failedAt, "rollback: brake: the live router sends the canary nothing");
      if (brakeMs !== undefined) brake.push(brakeMs / 1000);
      if (rollingBackAt !== undefined) decision.push((rollingBackAt - failedAt) / 1000);
      if (engineMs !== undefined) engine.push(engineMs / 1000);
      progress(
        `rollback ${run + 1}/${ctx.settings.runs}: ${failed.metric} failed (${failed.detail}); canary at 0% ${((backAt - failedAt) / 1000).toFixed(2)} s later` +
          ` (brake ${brakeMs === undefined ? "?" : (brakeMs / 1000).toFixed(3)} s, engine up ${engineMs === undefined ? "?" : (engineMs / 1000).toFixed(2)} s)`,
      );
    }
  } finally {
    await stopDriver();
  }
  ctx.record("rollback.rollgate", samples, "s");
  ctx.record("profile.rollback.failedToRollbackStart", decision, "s");
  ctx.record("profile.rollback.brake", brake, "s");
  ctx.record("profile.rollback.engineUp", engine, "s");
  ctx.note("rollback", "traffic", { requestsSent: driver.sent, canaryErrorRate: CANARY_ERROR_RATE, weight: WEIGHT, analysis: FAILING_ANALYSIS });
}
