/**
 * Smoke checks against a real preview: the real service deploys it, then
 * GETs the checks from a local HTTP server (ROLLGATE_SMOKE_BASE_URL: preview
 * host names do not resolve here). A 500 fails the preview with the reason
 * and leaves it inspectable until it is destroyed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerWith, startServer, type LocalServer } from "../../automation/support/httpServer";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { deploymentState, PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { destroyThroughService, newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { Timings } from "../../support/timing";

const pr = uniquePr(3);
const image = `ghcr.io/rollgate/sample-app:smoke-${pr}`;
const reason = "GET /healthz returned 500, expected 200";

describe("a preview whose smoke check fails", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("smoke");
  const state = newStateDir();
  let service: RollgateService;
  let upstream: LocalServer;
  const api = new RollgateApi(() => service.url, state.token);
  let operationId = "";
  let namespace = "";

  beforeAll(async () => {
    upstream = await startServer(answerWith(500));
    service = await RollgateProcess.start(state.dir, {
      env: {
        ROLLGATE_SMOKE_CHECKS: JSON.stringify([{ path: "/healthz", expectStatus: 200, timeoutMs: 3000 }]),
        ROLLGATE_SMOKE_BASE_URL: `${upstream.url}/previews/pr-{pr}`,
      },
    });
  });

  afterAll(async () => {
    await destroyThroughService(service, api, [pr]);
    await service?.stop();
    await upstream?.close();
    const leftovers = await backend.cleanUp([pr], kube);
    backend.dispose();
    state.remove();
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
  });

  it("marks the preview failed with the smoke check's answer as the reason", async () => {
    const accepted = await api.createPreview({ pr, image });
    operationId = accepted.body.operation.id;

    const failed = await timings.measure("create → failed (smoke check)", () => api.settled(pr, operationId));

    expect(failed.body).toMatchObject({
      status: "failed",
      lastOperation: { id: operationId, kind: "up", status: "failed", error: reason },
    });
    expect(upstream.requests).toContain(`GET /previews/pr-${pr}/healthz`);
    const operation = await api.getOperation(operationId);
    expect(operation.body).toMatchObject({ status: "failed", error: reason });
    expect(operation.body.log).toEqual(expect.arrayContaining([`smoke checks failed: ${reason}`]));
  });

  it("keeps the failed preview inspectable: URL, image, stack and running resources", async () => {
    const preview = await api.getPreview(pr);
    const listed = await api.request<{ previews: { pr: number; status: string }[] }>("GET", "/api/v1/previews?status=failed");

    expect(preview.body).toMatchObject({ status: "failed", url: expect.stringMatching(/^http:\/\/pr-\d+\./), image });
    expect(listed.body.previews.map((entry) => entry.pr)).toContain(pr);
    expect(await backend.hasStack(pr)).toBe(true);
    namespace = (await previewNamespaces(kube.core, pr))[0] ?? "";
    expect(await deploymentState(kube.apps, namespace, "sample-app-preview")).toMatchObject({ image, available: true });
  });

  it("can be destroyed while failed", async () => {
    const accepted = await api.deletePreview(pr);
    expect(accepted).toMatchObject({ status: 202, body: { status: "destroying" } });

    const after = await timings.measure("destroy → gone", () => api.afterDestroy(pr, accepted.body.operation.id));

    expect(after.status).toBe(404);
    expect(await backend.hasStack(pr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000)).toBe(true);
  });
});
