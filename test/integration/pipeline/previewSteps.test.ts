/**
 * The pull-request steps of the workflows against a running Rollgate service
 * (the real `automation/index.ts` process, real engine, policy pack and local
 * cluster), as the runner runs them: ci.yml's `rollgate preview up --wait`
 * (URL and smoke result in the job summary), preview-cleanup.yml's
 * `rollgate preview down`, and deploy.yml's release step failing rather than
 * passing when the release cannot run.
 *
 * Smoke checks go to a stand-in HTTP server (ROLLGATE_SMOKE_BASE_URL), as the
 * local cluster has no data plane.
 */
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeClients } from "../../support/kube";
import { PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { newStateDir, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { loadWorkflow, runStep, stepEnvironment, stepRunning, type StepResult } from "./workflowSteps";

const pr = uniquePr(77);
const ci = loadWorkflow("ci.yml");
const cleanup = loadWorkflow("preview-cleanup.yml");
const deploy = loadWorkflow("deploy.yml");
const previewStep = stepRunning(ci, "preview", "preview-up.sh");
const cleanupStep = stepRunning(cleanup, "preview-down", "preview-down.sh");
const releaseStep = stepRunning(deploy, "production", "release.sh");
const firstSha = "a1".repeat(20);
const secondSha = "b2".repeat(20);

const timings: string[] = [];
function timed(name: string, result: StepResult): StepResult {
  timings.push(`${name}: ${result.seconds.toFixed(1)}s`);
  return result;
}

describe("the preview steps against a running Rollgate service", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const state = newStateDir("rg-pipeline-");
  let service: RollgateService;
  let smoke: Server;
  let smokeStatus = 200;

  /** ci.yml's preview step environment for a push of `sha` to the PR. */
  const previewEnv = (sha: string, image = `ghcr.io/rollgate/sample-app:sha-${sha}`) =>
    stepEnvironment(previewStep, {
      ROLLGATE_URL: service.url,
      ROLLGATE_TOKEN: state.token,
      ROLLGATE_PR: String(pr),
      ROLLGATE_IMAGE: image, // `${{ vars.ROLLGATE_IMAGE_REPOSITORY }}:sha-<head sha>`
      ROLLGATE_BRANCH: "feature/pipeline",
      ROLLGATE_COMMIT_SHA: sha,
    });
  const cleanupEnv = () => stepEnvironment(cleanupStep, { ROLLGATE_URL: service.url, ROLLGATE_TOKEN: state.token, ROLLGATE_PR: String(pr) });

  beforeAll(async () => {
    smoke = createServer((request, response) => {
      response.statusCode = request.url === "/healthz" ? smokeStatus : 404;
      response.end();
    });
    await new Promise<void>((resolveListen) => smoke.listen(0, "127.0.0.1", resolveListen));
    const port = (smoke.address() as AddressInfo).port;
    service = await RollgateProcess.start(state.dir, {
      env: {
        ROLLGATE_SMOKE_CHECKS: JSON.stringify([{ path: "/healthz", timeoutMs: 3000 }]),
        ROLLGATE_SMOKE_BASE_URL: `http://127.0.0.1:${port}`,
      },
    });
  });

  afterAll(async () => {
    try {
      await service?.stop();
      const leftovers = await backend.cleanUp([pr], kube);
      expect(leftovers).toEqual([]);
    } finally {
      backend.dispose();
      rmSync(state.dir, { recursive: true, force: true });
      await new Promise((resolveClose) => smoke?.close(resolveClose));
      console.info(`[timing] pipeline preview steps:\n  ${timings.join("\n  ")}`);
    }
  });

  it("ci.yml's preview step deploys the PR and reports its URL and passing smoke checks", async () => {
    const result = timed("preview up (create)", await runStep(previewStep, previewEnv(firstSha)));

    expect(result.code, result.stderr).toBe(0);
    const url = `http://pr-${pr}.preview.rollgate.localhost`;
    expect(result.summary).toContain(`### Preview environment for PR #${pr}: ready`);
    expect(result.summary).toContain(`| URL | ${url} |`);
    expect(result.summary).toContain("| smoke checks | smoke checks passed |");
    expect(result.outputs).toEqual({ url });
    expect(await previewNamespaces(kube.core, pr)).toHaveLength(1);
  });

  it("fails the step when the new commit's smoke checks fail, and says so in the summary", async () => {
    smokeStatus = 503;
    try {
      const result = timed("preview up (update, smoke failing)", await runStep(previewStep, previewEnv(secondSha)));

      expect(result.code).toBe(1);
      expect(result.summary).toContain(`### Preview environment for PR #${pr}: failed`);
      expect(result.summary).toMatch(/\| smoke checks \| smoke checks failed: [^|]*503/);
    } finally {
      smokeStatus = 200;
    }
  });

  it("fails the step when the image breaks a policy, naming the policy", async () => {
    const result = timed("preview up (:latest)", await runStep(previewStep, previewEnv(secondSha, "ghcr.io/rollgate/sample-app:latest")));

    expect(result.code).toBe(1);
    expect(result.summary).toContain(`### Preview environment for PR #${pr}: failed`);
    expect(result.summary).toMatch(/\| error \| [^\n]*workload-image-pinned/);
  });

  it("preview-cleanup.yml's step destroys the preview and a second run has nothing to do", async () => {
    const destroyed = timed("preview down", await runStep(cleanupStep, cleanupEnv()));

    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.summary).toContain("Destroyed.");
    expect(await eventually(async () => (await previewNamespaces(kube.core, pr)).length === 0, 60_000)).toBe(true);
    expect(await backend.hasStack(pr)).toBe(false);

    const again = timed("preview down (again)", await runStep(cleanupStep, cleanupEnv()));

    expect(again.code).toBe(0);
    expect(again.summary).toContain("No preview environment to destroy.");
  });

  it("deploy.yml's release step fails, not passes, when the service refuses the release", async () => {
    // The token has only previews:* scopes, so the service refuses to start a release.
    const env = stepEnvironment(releaseStep, {
      ROLLGATE_URL: service.url,
      ROLLGATE_TOKEN: state.token,
      ROLLGATE_IMAGE: `ghcr.io/rollgate/sample-app:2.0.0@sha256:${"c3".repeat(32)}`,
      ROLLGATE_COMMIT_SHA: secondSha,
    });

    const result = timed("release start (refused)", await runStep(releaseStep, env));

    expect(result.code).toBe(1);
    expect(result.summary).toContain("### Release to production: failed");
  });
});
