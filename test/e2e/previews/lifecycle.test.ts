/**
 * A preview environment's whole life over HTTP, against the real service
 * process, the real Pulumi engine, the project's backend and the local
 * cluster: create → ready (checked through the Kubernetes API) → new image →
 * ready → delete → gone from backend and cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewTemplateConfig } from "../../../automation/previewTemplate";
import { parseSse } from "../../automation/support/sse";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { deploymentState, httpRoute, PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { destroyThroughService, newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { Timings } from "../../support/timing";

const pr = uniquePr(1);
const stack = `preview-pr-${pr}`;
const template = previewTemplateConfig();
const hostname = `pr-${pr}.${template["rollgate:previewDomain"]}`;
const app = template["rollgate:app"] ?? "sample-app";
const deployment = `${app}-preview`;
const commitSha = "1111111111111111111111111111111111111111";
const firstImage = `ghcr.io/rollgate/sample-app:e2e-${pr}-1`;
const secondImage = `ghcr.io/rollgate/sample-app:e2e-${pr}-2`;

describe("a preview environment's lifecycle over HTTP", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("lifecycle");
  const state = newStateDir();
  let service: RollgateService;
  const api = new RollgateApi(() => service.url, state.token);
  let namespace = "";
  let createdAt = "";
  let createOperation = "";

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

  it("creates the preview and reports it ready with its URL, image and expiry", async () => {
    const accepted = await api.createPreview({ pr, image: firstImage, branch: `feature/e2e-${pr}`, commitSha, ttlHours: 24 });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ pr, stack, status: "creating", operation: { kind: "up" } });
    createOperation = accepted.body.operation.id;

    const ready = await timings.measure("create → ready", () => api.settled(pr, createOperation));
    console.info(`[phases] create: ${await api.phases(createOperation)}`);

    expect(ready.body).toMatchObject({
      pr,
      stack,
      status: "ready",
      url: `http://${hostname}`,
      image: firstImage,
      branch: `feature/e2e-${pr}`,
      commitSha,
      lastOperation: { id: createOperation, kind: "up", status: "succeeded", actor: "e2e", error: null },
    });
    createdAt = ready.body.createdAt ?? "";
    expect(Date.parse(ready.body.expiresAt ?? "") - Date.parse(createdAt)).toBe(24 * 3_600_000);
  });

  it("records the up operation with its resource changes, log and engine events", async () => {
    const operation = await api.getOperation(createOperation);
    const events = await fetch(`${service.url}/api/v1/operations/${createOperation}/events`, {
      headers: { authorization: `Bearer ${state.token}` },
    });
    const stream = parseSse(await events.text());

    expect(operation.body).toMatchObject({ kind: "up", stack, status: "succeeded", actor: "e2e", error: null });
    expect(operation.body.changes?.create).toBeGreaterThanOrEqual(5);
    expect(operation.body.log).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^deployment pr-${pr}-[\\w-]+/${deployment} is ready$`))]),
    );
    expect(stream.filter((event) => event.event === "engine").length).toBeGreaterThan(0);
    const createdTypes = stream
      .filter((event) => event.event === "engine" && (event.data as { type: string }).type === "resource-done")
      // urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>
      .map((event) => String((event.data as { urn: string }).urn).split("::")[2]?.split("$").at(-1));
    expect(createdTypes).toEqual(
      expect.arrayContaining(["kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"]),
    );
    expect(stream.at(-1)).toMatchObject({ event: "end", data: { status: "succeeded" } });
  });

  it("deploys a labelled namespace, an available Deployment of the image and an HTTPRoute for pr-<n>.<previewDomain>", async () => {
    const namespaces = await previewNamespaces(kube.core, pr);
    expect(namespaces).toHaveLength(1);
    namespace = namespaces[0] ?? "";
    expect(namespace).toMatch(new RegExp(`^pr-${pr}-feature-e2e-${pr}-[a-z0-9]+$`));

    expect(await deploymentState(kube.apps, namespace, deployment)).toMatchObject({ image: firstImage, available: true });
    expect(await httpRoute(kube.custom, namespace, app)).toEqual({
      hostnames: [hostname],
      parents: [`${template["rollgate:gatewayNamespace"]}/${template["rollgate:gatewayName"]}`],
      backends: [deployment],
    });
  });

  it("answers a repeated identical request with the applied operation and starts nothing", async () => {
    const again = await api.createPreview({ pr, image: firstImage, branch: `feature/e2e-${pr}`, commitSha, ttlHours: 24 });

    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: "ready", operation: { id: createOperation, status: "succeeded" } });
  });

  it("rolls a new image out to the same namespace and is ready again, keeping its creation time", async () => {
    const accepted = await api.createPreview({ pr, image: secondImage, branch: `feature/e2e-${pr}`, commitSha, ttlHours: 24 });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: "updating", operation: { kind: "up" } });
    expect(accepted.body.operation.id).not.toBe(createOperation);

    const ready = await timings.measure("update → ready", () => api.settled(pr, accepted.body.operation.id));
    console.info(`[phases] update: ${await api.phases(accepted.body.operation.id)}`);

    expect(ready.body).toMatchObject({ status: "ready", image: secondImage, createdAt, lastOperation: { status: "succeeded" } });
    expect(await previewNamespaces(kube.core, pr)).toEqual([namespace]);
    expect(await deploymentState(kube.apps, namespace, deployment)).toMatchObject({ image: secondImage, available: true });
    const operation = await api.getOperation(accepted.body.operation.id);
    expect(operation.body.changes).toMatchObject({ update: expect.any(Number) });
    expect(operation.body.changes?.create ?? 0).toBe(0);
  });

  it("destroys the preview: the stack leaves the backend and the namespace the cluster", async () => {
    const accepted = await api.deletePreview(pr);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: "destroying", operation: { kind: "destroy" } });

    const after = await timings.measure("destroy → gone", () => api.afterDestroy(pr, accepted.body.operation.id));
    console.info(`[phases] destroy: ${await api.phases(accepted.body.operation.id)}`);

    expect(after.status).toBe(404);
    expect((await api.getOperation(accepted.body.operation.id)).body).toMatchObject({ status: "succeeded", error: null });
    expect(await backend.hasStack(pr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000)).toBe(true);
    expect((await api.deletePreview(pr)).status).toBe(404);
  });
});
