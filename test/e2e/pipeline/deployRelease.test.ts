/**
 * deploy.yml's production job end to end: its release step
 * (`scripts/pipeline/release.sh production`, run as the runner runs it, with
 * the step's `env:`) against a real `production` environment: the Rollgate
 * service as a child process, the real engine and production policy pack, the
 * local cluster, a real Prometheus scraping a stable and a canary sample app,
 * and a traffic driver playing the gateway from the live HTTPRoute.
 *
 * The first test takes a change the whole way: the policy gate for production
 * with the image being released, ci.yml's preview step (ready, smoke checks
 * passing), preview-cleanup.yml's step once the PR is merged, then the release
 * step promoting the image. The second releases a canary failing 30% of its
 * requests: the service rolls it back and the deploy job fails, naming the
 * metric, with production still on the image it ran before.
 *
 * The tests run in order and share the environment: the second starts from
 * the image the first promoted.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkflow, runStep, stepEnvironment, stepRunning, type StepResult } from "../../integration/pipeline/workflowSteps";
import { eventually } from "../../support/kube";
import { PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";
import { addToken } from "../../support/rollgateService";
import { productionRiskWithoutFreeze } from "../../support/riskConfig";

const ci = loadWorkflow("ci.yml");
const cleanup = loadWorkflow("preview-cleanup.yml");
const deploy = loadWorkflow("deploy.yml");
const gateStep = stepRunning(ci, "policy-gate", "policy-gate.sh");
const previewStep = stepRunning(ci, "preview", "preview-up.sh");
const cleanupStep = stepRunning(cleanup, "preview-down", "preview-down.sh");
const releaseStep = stepRunning(deploy, "production", "release.sh");

/** Production accepts only images pinned by digest. */
const digestImage = (byte: string) => `ghcr.io/rollgate/sample-app@sha256:${byte.repeat(32)}`;
const previousImage = digestImage("a0");
const goodImage = digestImage("b1");
const badImage = digestImage("c2");
const goodSha = "b1".repeat(20);
const badSha = "c2".repeat(20);
const pr = uniquePr(61);

/**
 * The release's pacing. deploy.yml leaves it to the service's defaults (5, 25,
 * 50, 100 % with 5-minute pauses); a repository that wants other steps sets
 * these variables for the job, so they reach the step from the runner's
 * environment rather than the step's `env:`. Here they keep a release to
 * seconds: two steps, 10 s each, one analysis of a 10 s window.
 */
const quickAnalysis = { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 };
const releasePacing = (analysisFile: string) => ({
  ROLLGATE_RELEASE_STEPS: "10,100",
  ROLLGATE_RELEASE_PAUSE_SECONDS: "10",
  ROLLGATE_RELEASE_ANALYSIS_FILE: analysisFile,
  // A stuck release fails the step instead of the test's timeout.
  ROLLGATE_RELEASE_TIMEOUT_SECONDS: "240",
});

const timings: string[] = [];
function timed(name: string, result: StepResult): StepResult {
  timings.push(`${name}: ${result.seconds.toFixed(1)}s`);
  return result;
}

describe("deploy.yml's production release step against a real production environment", () => {
  const env = new ReleaseEnvironment("pipeline", { environment: "production", stableImage: previousImage });
  const work = mkdtempSync(join(tmpdir(), "rg-pipeline-release-"));
  const analysisFile = join(work, "analysis.json");
  let previewToken: string;
  let previews: PreviewBackend | undefined;
  let smoke: Server | undefined;
  const started = performance.now();

  beforeAll(async () => {
    writeFileSync(analysisFile, JSON.stringify(quickAnalysis));
    // CI's preview token (secrets.ROLLGATE_TOKEN) beside the environment's release token (secrets.ROLLGATE_RELEASE_TOKEN).
    previewToken = addToken(env.state.dir, "ci-preview", ["previews:read", "previews:write"]);
    // The local cluster has no data plane: the preview's smoke checks go to a stand-in.
    const server = createServer((request, response) => {
      response.statusCode = request.url === "/healthz" ? 200 : 404;
      response.end();
    });
    smoke = server;
    await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
    await env.start({
      ROLLGATE_SMOKE_CHECKS: JSON.stringify([{ path: "/healthz", timeoutMs: 3000 }]),
      ROLLGATE_SMOKE_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ROLLGATE_RISK_CONFIG_DIR: productionRiskWithoutFreeze(),
    });
    // Created after start(), so its engine uses the environment's backend, where the service keeps the preview.
    previews = new PreviewBackend();
    timings.push(`environment up: ${((performance.now() - started) / 1000).toFixed(1)}s`);
  });

  afterAll(async () => {
    try {
      const leftovers = await previews?.cleanUp([pr], env.kube);
      expect(leftovers ?? []).toEqual([]);
    } finally {
      previews?.dispose();
      await env.stop();
      await new Promise((resolveClose) => (smoke ? smoke.close(resolveClose) : resolveClose(undefined)));
      rmSync(work, { recursive: true, force: true });
      timings.push(`total: ${((performance.now() - started) / 1000).toFixed(1)}s`);
      console.info(`[timing] pipeline deploy release:\n  ${timings.join("\n  ")}`);
    }
  });

  /** deploy.yml's release step environment, `${{ }}` values replaced by the test's. */
  const releaseEnv = (image: string, sha: string) =>
    stepEnvironment(releaseStep, {
      ROLLGATE_URL: env.service!.url, // vars.ROLLGATE_URL
      ROLLGATE_TOKEN: env.state.token, // secrets.ROLLGATE_RELEASE_TOKEN: releases:production
      ROLLGATE_IMAGE: image, // needs.image.outputs.ref
      ROLLGATE_COMMIT_SHA: sha, // github.sha
    });

  it("takes a change through the gates, a ready preview and a promoted production release", async () => {
    const gate = timed(
      "policy gate production",
      await runStep(
        gateStep,
        stepEnvironment(gateStep, { ENVIRONMENT: "production", ROLLGATE_GATE_IMAGE: goodImage, ROLLGATE_GATE_PR: String(pr), ROLLGATE_GATE_SHA: goodSha }),
      ),
    );
    expect(gate.code, gate.stderr).toBe(0);
    expect(gate.summary).toContain("### Policy gate: production passed");

    const preview = timed(
      "preview up",
      await runStep(
        previewStep,
        stepEnvironment(previewStep, {
          ROLLGATE_URL: env.service!.url,
          ROLLGATE_TOKEN: previewToken,
          ROLLGATE_PR: String(pr),
          ROLLGATE_IMAGE: `ghcr.io/rollgate/sample-app:sha-${goodSha}`, // `${{ vars.ROLLGATE_IMAGE_REPOSITORY }}:sha-<head sha>`
          ROLLGATE_BRANCH: "feature/quality-gates",
          ROLLGATE_COMMIT_SHA: goodSha,
        }),
      ),
    );
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.summary).toContain(`### Preview environment for PR #${pr}: ready`);
    expect(preview.summary).toContain("| smoke checks | smoke checks passed |");

    // The PR is merged: preview-cleanup.yml destroys the preview.
    const down = timed(
      "preview down",
      await runStep(cleanupStep, stepEnvironment(cleanupStep, { ROLLGATE_URL: env.service!.url, ROLLGATE_TOKEN: previewToken, ROLLGATE_PR: String(pr) })),
    );
    expect(down.code, down.stderr).toBe(0);
    expect(await eventually(async () => (await previewNamespaces(env.kube.core, pr)).length === 0, 60_000)).toBe(true);

    const release = timed("release (healthy canary)", await runStep(releaseStep, releaseEnv(goodImage, goodSha), { runner: releasePacing(analysisFile) }));

    expect(release.code, release.stderr + release.summary).toBe(0);
    expect(release.summary).toContain("### Release to production: succeeded");
    expect(release.summary).toMatch(/^\| 1 \| `error-rate` \| successful \|/m);
    expect(release.summary).toMatch(/^\| 2 \| `error-rate` \| successful \|/m);
    expect(release.summary).toContain(`"previousImage": "${previousImage}"`);
    expect(release.stderr).toContain("step 1/2: canary at 10%");
    expect(release.stderr).toContain("step 2/2: canary at 100%");
    expect((await env.config())["rollgate:stableImage"]).toBe(goodImage);
    expect(await env.deploymentImage(stableName)).toBe(goodImage);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
  });

  it("fails the deploy job after rolling back a canary failing 30% of requests, with production back on the previous image", async () => {
    const before = (await env.config())["rollgate:stableImage"];
    env.canary.setBehaviour({ errorRate: 0.3, extraLatencyMs: 0 });
    try {
      const result = timed("release (failing canary)", await runStep(releaseStep, releaseEnv(badImage, badSha), { runner: releasePacing(analysisFile) }));

      expect(result.code, result.stderr + result.summary).toBe(1);
      expect(result.summary).toContain("### Release to production: failed");
      expect(result.summary).toMatch(/the release ended rolledBack: [^\n]*\(failing metrics: error-rate\)/);
      expect(result.summary).toMatch(/^\| 1 \| `error-rate` \| failed \|/m);
      expect(result.stderr).toMatch(/error-rate: failed/);
      expect((await env.config())["rollgate:stableImage"]).toBe(before);
      expect(await env.deploymentImage(stableName)).toBe(before);
      expect(await env.liveWeight()).toBe(0);
      expect(await env.canaryGone()).toBe(true);
    } finally {
      env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });
    }
  });
});
