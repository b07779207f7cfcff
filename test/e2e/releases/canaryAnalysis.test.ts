/**
 * Canary releases end to end: the real service drives the `staging` stack
 * through the real engine and local cluster, and analyses each step against
 * a real Prometheus that scrapes a stable and a canary sample app; a traffic
 * driver sends requests in the proportion the live HTTPRoute carries.
 *
 * The scenarios share one environment and run in order, each starting from
 * the stable image the one before left: a healthy canary is promoted, a
 * canary failing 20% of requests and a slow canary are rolled back, a canary
 * without traffic pauses (the configured inconclusive behaviour), and an
 * abort during a step's pause rolls back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstImage, ReleaseEnvironment, stableName, type ReleaseBody } from "../../support/releaseEnvironment";
import { Timings } from "../../support/timing";
import { WeightWatcher } from "../../support/weightWatcher";

const promotedImage = "ghcr.io/rollgate/sample-app:1.1.0";

/** Short windows so a step takes seconds: 10 s of traffic per analysis, judged once. */
const quickAnalysis = { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 };
const quickSteps = (weights: readonly number[], pauseSeconds = 10) => weights.map((weight) => ({ weight, pauseSeconds }));

describe("canary releases analysed against Prometheus", () => {
  const env = new ReleaseEnvironment("releases");
  const watcher = new WeightWatcher(() => env.liveWeight());
  const timings = new Timings("releases");

  beforeAll(async () => {
    await env.start();
    watcher.start();
  });

  afterAll(async () => {
    watcher.stop();
    await env.stop();
    console.info(`[timing] summary\n${timings.summary()}`);
  });

  /** Config change (the controller's "setting canary weight" log line) → weight on the live route, per step. */
  function recordStepLatencies(release: ReleaseBody): void {
    const raises = env.service?.logs.filter((line) => line.releaseId === release.id && line.msg === "setting canary weight") ?? [];
    for (const line of raises) {
      const since = Date.parse(String(line.time));
      const seen = watcher.firstSeen(Number(line.to), since);
      if (seen !== undefined) timings.record(`weight step → ${String(line.to)}% visible on the route`, seen - since);
    }
  }

  /** The failing measurement → canary weight 0 on the live route. */
  function recordRollbackLatency(release: ReleaseBody): number {
    const failed = release.analysis.find((record) => record.phase === "failed");
    expect(failed, "a failed measurement").toBeDefined();
    const since = Date.parse(failed!.at);
    const seen = watcher.firstSeen(0, since);
    expect(seen, "weight 0 seen on the route after the failing measurement").toBeDefined();
    timings.record("rollback: failing measurement → weight 0 on the route", seen! - since);
    return seen! - since;
  }

  /** The service's log line saying the traffic brake patched the live route for this release. */
  function brakeLogLine(releaseId: string, purpose: "rollback" | "abort") {
    return env.service?.logs.find((line) => line.releaseId === releaseId && line.msg === `${purpose}: brake: the live router sends the canary nothing`);
  }

  it("promotes a healthy canary through 5 → 25 → 50 → 100: stable runs the new image and the canary is gone", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });

    const started = await env.startRelease({ image: promotedImage, steps: quickSteps([5, 25, 50, 100]), analysis: quickAnalysis });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ environment: "staging", status: "progressing", weight: 0 });
    const release = await timings.measure("healthy release 5→25→50→100 to promotion", () => env.settled(started.body.id, 420_000));

    expect(release).toMatchObject({ status: "succeeded", image: promotedImage, previousImage: firstImage, weight: 0 });
    expect(release.analysis.filter((record) => record.phase === "successful").length).toBeGreaterThanOrEqual(4);
    expect(release.analysis.every((record) => record.phase === "successful")).toBe(true);
    expect((await env.config())["rollgate:stableImage"]).toBe(promotedImage);
    expect(await env.deploymentImage(stableName)).toBe(promotedImage);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    // Every weight of the plan was on the live route at some point, in order.
    const seen = watcher.samples.map((sample) => sample.weight).filter((weight, index, all) => weight !== all[index - 1]);
    expect(seen).toEqual(expect.arrayContaining([5, 25, 50, 100]));
    recordStepLatencies(release);
  });

  it("rolls back a canary failing 20% of requests at its first step: the route gives the canary 0 and stable keeps its image", async () => {
    env.canary.setBehaviour({ errorRate: 0.2, extraLatencyMs: 0 });

    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.2.0-bad", steps: quickSteps([5, 50, 100]), analysis: quickAnalysis });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const release = await env.settled(started.body.id);

    expect(release).toMatchObject({ status: "rolledBack", previousImage: promotedImage, weight: 0, step: 0 });
    const failed = release.analysis.find((record) => record.phase === "failed");
    expect(failed).toMatchObject({ metric: "error-rate", step: 0 });
    expect(failed!.value).toBeGreaterThan(0.05);
    expect(release.reason).toMatch(/error-rate failed/);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    expect((await env.config())["rollgate:stableImage"]).toBe(promotedImage);
    expect(await env.deploymentImage(stableName)).toBe(promotedImage);
    expect(recordRollbackLatency(release)).toBeLessThan(30_000);
    expect(brakeLogLine(release.id, "rollback")).toMatchObject({ detail: `HTTPRoute ${env.namespace}/sample-app` });
  });

  it("rolls back a canary whose p99 latency regressed against stable's", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 250 });

    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.2.0-slow", steps: quickSteps([10, 100]), analysis: quickAnalysis });
    const release = await env.settled(started.body.id);

    expect(release.status).toBe("rolledBack");
    const failed = release.analysis.find((record) => record.phase === "failed");
    expect(failed).toMatchObject({ metric: "latency" });
    expect(failed!.value).toBeGreaterThan(0.2);
    expect(failed!.value).toBeGreaterThan(failed!.threshold!);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    expect(await env.deploymentImage(stableName)).toBe(promotedImage);
    recordRollbackLatency(release);
  });

  it("pauses for a human when the canary gets no traffic (inconclusive policy `pause`), and an abort then rolls back", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });
    env.traffic.pause();
    try {
      const started = await env.startRelease({
        image: "ghcr.io/rollgate/sample-app:1.3.0",
        steps: quickSteps([5, 100]),
        analysis: { ...quickAnalysis, inconclusive: { action: "pause" } },
      });
      const paused = await env.waitForRelease(started.body.id, (release) => release.status !== "progressing");

      expect(paused).toMatchObject({ status: "paused", weight: 5, step: 0 });
      expect(paused.reason).toMatch(/inconclusive/);
      expect(paused.analysis.length).toBeGreaterThan(0);
      expect(paused.analysis.every((record) => record.phase === "inconclusive")).toBe(true);
      expect(await env.liveWeight()).toBe(5);

      const aborted = await env.api.request<ReleaseBody>("POST", `/api/v1/releases/${started.body.id}/abort`, { reason: "no traffic to judge" });
      expect(aborted.status).toBe(202);
      const release = await env.settled(started.body.id);
      expect(release).toMatchObject({ status: "aborted", weight: 0 });
      expect(await env.liveWeight()).toBe(0);
      expect(await env.canaryGone()).toBe(true);
    } finally {
      env.traffic.resume();
    }
  });

  it("rolls back at once when aborted during a step's pause, before any analysis", async () => {
    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.4.0", steps: quickSteps([25, 100], 600), analysis: quickAnalysis });
    await env.waitForRelease(started.body.id, (release) => release.weight === 25);
    await expect.poll(() => env.liveWeight(), { timeout: 30_000, interval: 250 }).toBe(25);

    const abortedAt = Date.now();
    const aborted = await env.api.request<ReleaseBody>("POST", `/api/v1/releases/${started.body.id}/abort`, { reason: "operator abort" });
    expect(aborted.status).toBe(202);
    const release = await env.settled(started.body.id, 120_000);

    expect(release).toMatchObject({ status: "aborted", weight: 0, analysis: [] });
    const zero = watcher.firstSeen(0, abortedAt);
    expect(zero).toBeDefined();
    timings.record("abort during pause → weight 0 on the route", zero! - abortedAt);
    // The abort's own brake, or the rollback's when the release's loop got there first (the command's brake waits for
    // the command to be saved): either one moved the live route at once, as timed above.
    expect(brakeLogLine(release.id, "abort") ?? brakeLogLine(release.id, "rollback")).toMatchObject({ detail: `HTTPRoute ${env.namespace}/sample-app` });
    expect(await env.canaryGone()).toBe(true);
    expect(await env.deploymentImage(stableName)).toBe(promotedImage);
    expect((await env.config())["rollgate:canaryImage"] ?? "").toBe("");
  });

  it("refuses a second release in the environment while one is active (409) and changes nothing", async () => {
    const first = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.5.0", steps: quickSteps([5, 100], 600), analysis: quickAnalysis });
    expect(first.status).toBe(202);
    const second = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.6.0" });
    expect(second.status).toBe(409);

    await env.api.request("POST", `/api/v1/releases/${first.body.id}/abort`, { reason: "test cleanup" });
    const release = await env.settled(first.body.id, 120_000);
    expect(release.status).toBe("aborted");
    expect(await env.canaryGone()).toBe(true);
  });
});
