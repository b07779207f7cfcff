/**
 * A release survives SIGKILL of the service (and every process it started:
 * the Pulumi CLI, plugins) at any point: after a restart with the same state
 * directory and backend the release resumes at its current step and finishes
 * consistently, or, with `ROLLGATE_RELEASE_ON_RESTART=rollback`, rolls back.
 * The restarted service is a new replica: it takes the release over once the
 * killed one's lease has expired. Pulumi's state is in a `file://` backend
 * here (the other release tests use the `postgres://` one), so both backends'
 * stale locks are recovered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killLeftovers, type ProcessId } from "../../support/rollgateService";
import { ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";

const quickAnalysis = { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 };
const resumedImage = "ghcr.io/rollgate/sample-app:2.0.0";

describe("a release when the service is killed", () => {
  const env = new ReleaseEnvironment("release-crash", { backend: "file" });
  let orphans: ProcessId[] = [];

  beforeAll(async () => {
    await env.start();
  });

  afterAll(async () => {
    killLeftovers(orphans);
    await env.stop();
  });

  it("resumes at its step after a SIGKILL during a weight update and is promoted, leaving nothing locked", async () => {
    const started = await env.startRelease({
      image: resumedImage,
      steps: [10, 50, 100].map((weight) => ({ weight, pauseSeconds: 8 })),
      analysis: quickAnalysis,
    });
    expect(started.status).toBe(202);
    const service = env.service!;
    // Killed while the engine is updating the route to 50%: a stack lock and maybe a pending operation are left behind.
    await service.waitForLog((line) => line.releaseId === started.body.id && line.msg === "setting canary weight" && line.to === 50, 240_000);
    orphans = await service.crash();

    const restarted = await env.startService();
    await restarted.waitForLog((line) => line.msg === "recovering release" && line.releaseId === started.body.id);
    const release = await env.settled(started.body.id, 300_000);

    expect(release, `${release.reason ?? ""}\n${restarted.describe(60)}`).toMatchObject({ status: "succeeded", image: resumedImage, weight: 0 });
    expect(release.analysis.some((record) => record.step === 1 && record.phase === "successful")).toBe(true);
    expect((await env.config())["rollgate:stableImage"]).toBe(resumedImage);
    expect(await env.deploymentImage(stableName)).toBe(resumedImage);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
  });

  it("rolls back after a restart when configured to (`ROLLGATE_RELEASE_ON_RESTART=rollback`); stable keeps its image", async () => {
    const started = await env.startRelease({
      image: "ghcr.io/rollgate/sample-app:2.1.0",
      steps: [{ weight: 20, pauseSeconds: 600 }, { weight: 100, pauseSeconds: 10 }],
      analysis: quickAnalysis,
    });
    await env.waitForRelease(started.body.id, (release) => release.weight === 20, 240_000);
    await expect.poll(() => env.liveWeight(), { timeout: 30_000, interval: 250 }).toBe(20);
    orphans = await env.service!.crash();

    const restarted = await env.startService({ ROLLGATE_RELEASE_ON_RESTART: "rollback" });
    const release = await env.settled(started.body.id, 180_000);

    expect(release, `${release.reason ?? ""}\n${restarted.describe(60)}`).toMatchObject({ status: "rolledBack", weight: 0 });
    expect(release.reason).toMatch(/restart/i);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    expect(await env.deploymentImage(stableName)).toBe(resumedImage);
    expect((await env.config())["rollgate:stableImage"]).toBe(resumedImage);
  });
});
