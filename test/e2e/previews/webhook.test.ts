/**
 * The preview lifecycle driven by signed GitHub `pull_request` deliveries to
 * the real service (real engine, backend and cluster): opened → ready with
 * the image from the template, synchronize → the new head commit's image,
 * closed → destroyed. A delivery with a bad signature changes nothing.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { deploymentState, PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { destroyThroughService, newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { Timings } from "../../support/timing";

const pr = uniquePr(2);
const secret = `e2e-webhook-secret-${process.pid}`;
const imageTemplate = "ghcr.io/rollgate/sample-app:pr-{pr}-{shortSha}";
const firstSha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const secondSha = "f0e1d2c3b4a5968778695a4b3c2d1e0f12345678";
const branch = `feature/webhook-${pr}`;
const deployment = "sample-app-preview";

function pullRequest(action: string, sha: string): string {
  return JSON.stringify({
    action,
    number: pr,
    pull_request: {
      head: { sha, ref: branch, repo: { full_name: "rollgate/sample-app" } },
      base: { ref: "main", repo: { full_name: "rollgate/sample-app" } },
      labels: [],
      title: "E2E",
      body: "x".repeat(2000),
    },
    repository: { full_name: "rollgate/sample-app" },
    sender: { login: "e2e-bot" },
  });
}

function signature(body: string, key = secret): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

describe("preview environments from GitHub pull_request webhooks", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("webhook");
  const state = newStateDir();
  let service: RollgateService;
  const api = new RollgateApi(() => service.url, state.token);
  let namespace = "";

  async function deliver(body: string, headers: Record<string, string> = { "x-hub-signature-256": signature(body) }) {
    const response = await fetch(`${service.url}/api/v1/webhooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": crypto.randomUUID(), ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { operation?: { id: string } } };
  }

  beforeAll(async () => {
    service = await RollgateProcess.start(state.dir, {
      env: { ROLLGATE_GITHUB_WEBHOOK_SECRET: secret, ROLLGATE_PREVIEW_IMAGE_TEMPLATE: imageTemplate },
    });
  });

  afterAll(async () => {
    await destroyThroughService(service, api, [pr]);
    await service?.stop();
    const leftovers = await backend.cleanUp([pr], kube);
    backend.dispose();
    state.remove();
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
  });

  it("rejects a delivery with a bad or missing signature with 401 and creates nothing", async () => {
    const body = pullRequest("opened", firstSha);

    const forged = await deliver(body, { "x-hub-signature-256": signature(body, "not-the-secret") });
    const unsigned = await deliver(body, {});

    expect(forged).toMatchObject({ status: 401, body: { status: 401, detail: "the webhook signature does not match" } });
    expect(unsigned).toMatchObject({ status: 401, body: { detail: "the X-Hub-Signature-256 header is missing" } });
    expect((await api.getPreview(pr)).status).toBe(404);
    expect(await backend.hasStack(pr)).toBe(false);
    expect(await previewNamespaces(kube.core, pr)).toEqual([]);
  });

  it("creates the preview when the pull request is opened, with the image of the head commit", async () => {
    const delivered = await deliver(pullRequest("opened", firstSha));
    expect(delivered).toMatchObject({
      status: 202,
      body: { event: "pull_request", action: "opened", pr, status: "creating", operation: { kind: "up" } },
    });

    const ready = await timings.measure("opened → ready", () => api.settled(pr, delivered.body.operation?.id ?? ""));

    const image = `ghcr.io/rollgate/sample-app:pr-${pr}-${firstSha.slice(0, 7)}`;
    expect(ready.body).toMatchObject({
      status: "ready",
      image,
      commitSha: firstSha,
      branch,
      lastOperation: { status: "succeeded", actor: "github:e2e-bot" },
    });
    namespace = (await previewNamespaces(kube.core, pr))[0] ?? "";
    expect(await deploymentState(kube.apps, namespace, deployment)).toMatchObject({ image, available: true });
  });

  it("rolls out the new head commit's image on synchronize", async () => {
    const delivered = await deliver(pullRequest("synchronize", secondSha));
    expect(delivered).toMatchObject({ status: 202, body: { action: "synchronize", status: "updating", operation: { kind: "up" } } });

    const ready = await timings.measure("synchronize → ready", () => api.settled(pr, delivered.body.operation?.id ?? ""));

    const image = `ghcr.io/rollgate/sample-app:pr-${pr}-${secondSha.slice(0, 7)}`;
    expect(ready.body).toMatchObject({ status: "ready", image, commitSha: secondSha, lastOperation: { status: "succeeded" } });
    expect(await previewNamespaces(kube.core, pr)).toEqual([namespace]);
    expect(await deploymentState(kube.apps, namespace, deployment)).toMatchObject({ image, available: true });
  });

  it("destroys the preview when the pull request is closed", async () => {
    const delivered = await deliver(pullRequest("closed", secondSha));
    expect(delivered).toMatchObject({ status: 202, body: { action: "closed", status: "destroying", operation: { kind: "destroy" } } });

    const after = await timings.measure("closed → gone", () => api.afterDestroy(pr, delivered.body.operation?.id ?? ""));

    expect(after.status).toBe(404);
    expect(await backend.hasStack(pr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000)).toBe(true);
  });

  it("ignores a second closed delivery for the preview that is already gone", async () => {
    const delivered = await deliver(pullRequest("closed", secondSha));

    expect(delivered).toMatchObject({ status: 202, body: { ignored: true, reason: `PR ${pr} has no preview environment` } });
  });
});
