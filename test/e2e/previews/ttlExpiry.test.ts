/**
 * TTL expiry with the real service's reaper, without a fake clock: the API's
 * shortest TTL is an hour, so the previews are made old instead. Two preview
 * stacks are deployed through the engine (the service's program) with a
 * `createdAt` two hours ago:
 *
 * - one with a 1-hour TTL, expired before the service starts: the reaper's
 *   pass at start destroys it;
 * - one with a 30-day TTL, left alone until a request shortens its TTL to
 *   1 hour (an update keeps the creation time), after which the reaper
 *   destroys it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewTemplateConfig } from "../../../automation/previewTemplate";
import { previewStackConfig, type PreviewPlan } from "../../../automation/services/previews/spec";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { newStateDir, RollgateApi, RollgateProcess, type LogLine, type RollgateService } from "../../support/rollgateService";
import { Timings } from "../../support/timing";

const expiredPr = uniquePr(4);
const shortenedPr = uniquePr(5);
const twoHoursAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000).toISOString();
const image = `ghcr.io/rollgate/sample-app:ttl-${process.pid}`;

function oldPreview(pr: number, ttlHours: number): PreviewPlan {
  return { pr, spec: { image, ttlHours }, createdAt: twoHoursAgo, actor: "e2e-setup" };
}

const reaping = (pr: number) => (line: LogLine) => line.msg === "destroying expired preview" && line.pr === pr;

describe("the TTL reaper of the running service", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("ttl");
  const state = newStateDir();
  let service: RollgateService;
  const api = new RollgateApi(() => service.url, state.token);
  const namespaces = new Map<number, string>();

  beforeAll(async () => {
    const template = previewTemplateConfig();
    await timings.measure("engine up of two old previews (parallel)", () =>
      Promise.all([
        backend.engine.up(`preview-pr-${expiredPr}`, previewStackConfig(oldPreview(expiredPr, 1), template)),
        backend.engine.up(`preview-pr-${shortenedPr}`, previewStackConfig(oldPreview(shortenedPr, 720), template)),
      ]),
    );
    for (const pr of [expiredPr, shortenedPr]) namespaces.set(pr, (await previewNamespaces(kube.core, pr))[0] ?? "");
    service = await RollgateProcess.start(state.dir, { env: { ROLLGATE_REAPER_INTERVAL_SECONDS: "3" } });
  });

  afterAll(async () => {
    await service?.stop();
    const leftovers = await backend.cleanUp([expiredPr, shortenedPr], kube);
    backend.dispose();
    state.remove();
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
  });

  it("destroys a preview that expired while the service was down", async () => {
    const started = await service.waitForLog(reaping(expiredPr), 60_000);
    const after = await timings.measure("expired → gone", () => api.afterDestroy(expiredPr, String(started.operationId)));

    expect(after.status).toBe(404);
    const operation = await api.getOperation(String(started.operationId));
    expect(operation.body).toMatchObject({ kind: "destroy", actor: "rollgate-reaper", status: "succeeded" });
    expect(await backend.hasStack(expiredPr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespaces.get(expiredPr) ?? ""), 60_000)).toBe(true);
  });

  it("leaves a preview alone while its TTL has not run out", async () => {
    const preview = await api.getPreview(shortenedPr);

    expect(preview.body).toMatchObject({
      status: "ready",
      createdAt: twoHoursAgo,
      expiresAt: new Date(Date.parse(twoHoursAgo) + 720 * 3_600_000).toISOString(),
    });
    expect(service.logs.some(reaping(shortenedPr))).toBe(false);
  });

  it("destroys a preview once an update shortens its TTL below its age", async () => {
    const accepted = await api.createPreview({ pr: shortenedPr, image, ttlHours: 1 });
    expect(accepted.body).toMatchObject({ status: "updating", operation: { kind: "up" } });

    const started = await timings.measure("TTL shortened → reaper starts", () => service.waitForLog(reaping(shortenedPr), 120_000));
    const after = await timings.measure("reaped → gone", () => api.afterDestroy(shortenedPr, String(started.operationId)));

    expect(after.status).toBe(404);
    const update = await api.getOperation(accepted.body.operation.id);
    expect(update.body).toMatchObject({ status: "succeeded" });
    expect(started.expiresAt).toBe(new Date(Date.parse(twoHoursAgo) + 3_600_000).toISOString());
    const destroy = await api.getOperation(String(started.operationId));
    expect(destroy.body).toMatchObject({ kind: "destroy", actor: "rollgate-reaper", status: "succeeded" });
    expect(await backend.hasStack(shortenedPr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespaces.get(shortenedPr) ?? ""), 60_000)).toBe(true);
  });
});
