import { afterEach, describe, expect, it } from "vitest";
import { HttpSmokeChecker } from "../../../automation/services/smoke/httpSmokeChecker";
import { FakeStackEngine } from "../support/fakeEngine";
import { bearer, createHarness, tokens, type Harness } from "../support/harness";
import { answerWith, startServer, type LocalServer } from "../support/httpServer";

const smokeChecks = [{ path: "/healthz", expectStatus: 200, timeoutMs: 300 }];
const quickChecker = new HttpSmokeChecker({ retryIntervalMs: 20 });

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const create = (h: Harness, pr: number, image = "ghcr.io/acme/app:1") =>
  h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image });
const get = (h: Harness, pr: number) => h.http.get(`/api/v1/previews/${pr}`).set("Authorization", bearer(tokens.reader));

describe("verifying a preview after up", () => {
  it("is ready when the deployment rolls out and the smoke checks pass", async () => {
    server = await startServer(answerWith(200));
    const h = createHarness({ config: { smokeChecks }, smokeChecker: quickChecker });
    const base = server.url;
    h.engine.urlFor = (pr) => `${base}/pr-${pr}`;

    await create(h, 1);
    await h.idle();

    expect((await get(h, 1)).body.status).toBe("ready");
    expect(server.requests).toContain("GET /pr-1/healthz");
  });

  it("fails with the reason when a smoke check answers 500, and stays inspectable", async () => {
    server = await startServer(answerWith(500));
    const h = createHarness({ config: { smokeChecks }, smokeChecker: quickChecker });
    const base = server.url;
    h.engine.urlFor = () => base;

    const created = await create(h, 1);
    await h.idle();
    const preview = await get(h, 1);
    const operation = await h.http.get(`/api/v1/operations/${created.body.operation.id}`).set("Authorization", bearer(tokens.reader));

    expect(preview.body).toMatchObject({
      status: "failed",
      url: base,
      lastOperation: { status: "failed", error: "GET /healthz returned 500, expected 200" },
    });
    expect(operation.body).toMatchObject({ status: "failed", changes: { create: 3 }, error: "GET /healthz returned 500, expected 200" });
    expect(h.engine.stacks.has("preview-pr-1")).toBe(true);
  });

  it("fails when the deployment does not roll out, without running smoke checks", async () => {
    server = await startServer(answerWith(200));
    const h = createHarness({
      config: { smokeChecks },
      smokeChecker: quickChecker,
      waitForDeployment: async () => Promise.reject(new Error("0 of 1 replicas available")),
    });

    await create(h, 1);
    await h.idle();

    expect((await get(h, 1)).body.lastOperation.error).toBe(
      "deployment pr-1-ns/sample-app-preview did not become ready: 0 of 1 replicas available",
    );
    expect(server.requests).toEqual([]);
  });

  it("lets a failed preview be destroyed", async () => {
    const h = createHarness({ waitForDeployment: async () => Promise.reject(new Error("crash loop")) });
    await create(h, 1);
    await h.idle();

    const response = await h.http.delete("/api/v1/previews/1").set("Authorization", bearer(tokens.writer));
    await h.idle();

    expect(response.status).toBe(202);
    expect((await get(h, 1)).status).toBe(404);
  });

  it("keeps a creation that failed before the engine made a stack visible as failed until deleted", async () => {
    const engine = new FakeStackEngine();
    const h = createHarness({ engine });
    engine.up = async () => Promise.reject(new Error("invalid credentials for the state backend"));

    await create(h, 8);
    await h.idle();
    const failed = await get(h, 8);
    const deleted = await h.http.delete("/api/v1/previews/8").set("Authorization", bearer(tokens.writer));
    await h.idle();

    expect(failed.body).toMatchObject({ status: "failed", image: "ghcr.io/acme/app:1", url: null });
    expect(deleted.status).toBe(202);
    expect((await get(h, 8)).status).toBe(404);
  });

  it("retries a failed preview when the same request is repeated", async () => {
    const h = createHarness();
    let failures = 1;
    h.engine.failUp = () => (failures-- > 0 ? new Error("transient") : undefined);

    await create(h, 1);
    await h.idle();
    await create(h, 1);
    await h.idle();

    expect(h.engine.mutations()).toEqual(["up preview-pr-1", "up preview-pr-1"]);
    expect((await get(h, 1)).body.status).toBe("ready");
  });
});

describe("operation limits through the API", () => {
  it("never runs two operations on one stack at once", async () => {
    const h = createHarness({ config: { maxConcurrentOperations: 4 } });
    h.engine.holding = true;

    await create(h, 1, "ghcr.io/acme/app:1");
    await create(h, 1, "ghcr.io/acme/app:2");
    await h.http.delete("/api/v1/previews/1").set("Authorization", bearer(tokens.writer));
    await h.engine.waitForHeld(1);
    const queued = await h.http.get("/metrics");
    h.engine.holding = false;
    h.engine.release();
    await h.idle();

    expect(queued.text).toContain("rollgate_operation_queue_depth 2");
    expect(h.engine.maxRunningPerStack).toBe(1);
    expect(h.engine.mutations()).toEqual(["up preview-pr-1", "up preview-pr-1", "destroy preview-pr-1"]);
  });

  it("runs at most the configured number of operations at once", async () => {
    const h = createHarness({ config: { maxConcurrentOperations: 2 } });
    h.engine.holding = true;

    for (const pr of [1, 2, 3, 4]) await create(h, pr);
    await h.engine.waitForHeld(2);
    const third = await get(h, 3);
    h.engine.holding = false;
    h.engine.release();
    h.engine.release();
    await h.idle();

    expect(third.body).toMatchObject({ status: "creating", lastOperation: { status: "queued" } });
    expect(h.engine.maxRunning).toBe(2);
    expect(h.engine.mutations()).toHaveLength(4);
  });
});

describe("state across restarts", () => {
  it("lists previews from the engine and journal after a restart, with their last result", async () => {
    const engine = new FakeStackEngine();
    const first = createHarness({ engine, waitForDeployment: async () => Promise.reject(new Error("no pods")) });
    await create(first, 1);
    await first.idle();

    const second = createHarness({ engine, operations: first.operations, journal: first.journal });
    const list = await second.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));

    expect(list.body.previews).toHaveLength(1);
    expect(list.body.previews[0]).toMatchObject({ pr: 1, status: "failed", image: "ghcr.io/acme/app:1", lastOperation: { kind: "up", status: "failed" } });
  });

  it("still answers an identical repeat from the journal after a restart", async () => {
    const engine = new FakeStackEngine();
    const first = createHarness({ engine });
    const created = await create(first, 1);
    await first.idle();

    const second = createHarness({ engine, operations: first.operations, journal: first.journal });
    const repeat = await create(second, 1);

    expect(repeat.body.operation).toEqual({ id: created.body.operation.id, kind: "up", status: "succeeded" });
    expect(engine.mutations()).toEqual(["up preview-pr-1"]);
  });
});
