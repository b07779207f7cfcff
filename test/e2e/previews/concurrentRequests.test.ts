/**
 * Simultaneous requests for one PR against the real service and engine:
 * identical creates share one operation, so the backend gets one stack and
 * one update; different images queue behind each other on the stack (never
 * a concurrent update) and the one accepted last is what runs in the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClients } from "../../support/kube";
import { deploymentState, PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { destroyThroughService, newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { Timings } from "../../support/timing";

const pr = uniquePr(7);
const stack = `preview-pr-${pr}`;
const image = (tag: string): string => `ghcr.io/rollgate/sample-app:concurrent-${pr}-${tag}`;

describe("simultaneous requests for one pull request", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("concurrent");
  const state = newStateDir();
  let service: RollgateService;
  const api = new RollgateApi(() => service.url, state.token);

  beforeAll(async () => {
    service = await RollgateProcess.start(state.dir);
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

  it("turns two identical creates into one operation, one stack and one update", async () => {
    const body = { pr, image: image("a"), branch: "feature/concurrent" };

    const [first, second] = await Promise.all([api.createPreview(body), api.createPreview(body)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.operation.id).toBe(first.body.operation.id);
    const ready = await timings.measure("create → ready", () => api.settled(pr, first.body.operation.id));

    expect(ready.body).toMatchObject({ status: "ready", image: image("a") });
    expect((await api.getOperation(first.body.operation.id)).body.changes?.create).toBeGreaterThan(0);
    expect((await backend.stackNames()).filter((name) => name === stack)).toHaveLength(1);
    expect(await backend.history(pr)).toMatchObject([{ kind: "update", result: "succeeded" }]);
    expect(await previewNamespaces(kube.core, pr)).toHaveLength(1);
  });

  it("runs two simultaneous updates with different images one after the other, the later one winning", async () => {
    const [b, c] = await Promise.all([api.createPreview({ pr, image: image("b") }), api.createPreview({ pr, image: image("c") })]);
    expect([b.status, c.status]).toEqual([202, 202]);
    expect(b.body.operation.id).not.toBe(c.body.operation.id);

    const [opB, opC] = await timings.measure("two queued updates → both done", () =>
      Promise.all([api.finished(b.body.operation.id), api.finished(c.body.operation.id)]),
    );

    expect([opB.status, opC.status]).toEqual(["succeeded", "succeeded"]);
    const [earlier, later] = Date.parse(opB.startedAt ?? "") < Date.parse(opC.startedAt ?? "") ? [opB, opC] : [opC, opB];
    expect(Date.parse(later.startedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(earlier.finishedAt ?? ""));
    const winner = later.id === b.body.operation.id ? image("b") : image("c");
    expect((await api.getPreview(pr)).body).toMatchObject({ status: "ready", image: winner, lastOperation: { id: later.id } });
    const namespace = (await previewNamespaces(kube.core, pr))[0] ?? "";
    expect(await deploymentState(kube.apps, namespace, "sample-app-preview")).toMatchObject({ image: winner, available: true });
    expect((await backend.history(pr)).map((update) => `${update.kind}:${update.result}`)).toEqual([
      "update:succeeded",
      "update:succeeded",
      "update:succeeded",
    ]);
  });
});
