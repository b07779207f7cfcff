import { describe, expect, it } from "vitest";
import { bearer, createHarness, sha, tokens } from "../support/harness";

const image = "ghcr.io/acme/app:pr-12";

describe("POST /api/v1/previews", () => {
  it("creates the stack preview-pr-<pr> and answers 202 with the queued operation", async () => {
    const h = createHarness();

    const response = await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ pr: 12, image, branch: "feature/login", commitSha: sha("b"), ttlHours: 24 });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      pr: 12,
      stack: "preview-pr-12",
      status: "creating",
      operation: { id: expect.any(String), kind: "up", status: expect.stringMatching(/queued|running/) },
    });
    await h.idle();
    expect(h.engine.mutations()).toEqual(["up preview-pr-12"]);
    const config = h.engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:image"]?.value).toBe(image);
    expect(config?.["rollgate:branch"]?.value).toBe("feature/login");
    expect(config?.["rollgate:commitSha"]?.value).toBe(sha("b"));
    expect(config?.["rollgate:createdAt"]?.value).toBe("2030-01-02T00:00:00.000Z");
    expect(config?.["rollgate:ttlHours"]?.value).toBe("24");
    expect(config?.["rollgate:deployedBy"]?.value).toBe("writer");
  });

  it("adds the shared preview config, which cannot override the PR's own keys", async () => {
    const h = createHarness({
      config: { previewBaseConfig: { "rollgate:app": "sample-app", "rollgate:previewDomain": "preview.example", "rollgate:image": "evil/x:1" } },
    });

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image });
    await h.idle();

    const config = h.engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:app"]?.value).toBe("sample-app");
    expect(config?.["rollgate:previewDomain"]?.value).toBe("preview.example");
    expect(config?.["rollgate:image"]?.value).toBe(image);
    expect(config?.["rollgate:environment"]?.value).toBe("preview");
    expect(config?.["rollgate:branch"]?.value).toBe("");
  });

  it("updates an existing preview and keeps its creation time", async () => {
    const h = createHarness();
    h.engine.seedPreview(12);

    const response = await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ pr: 12, image: "ghcr.io/acme/app:pr-12-v2" });
    await h.idle();

    expect(response.status).toBe(202);
    expect(response.body.status).toBe("updating");
    const config = h.engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:createdAt"]?.value).toBe("2030-01-01T00:00:00.000Z");
  });

  it("does not start a second update when the same request is repeated while it runs", async () => {
    const h = createHarness();
    h.engine.holding = true;
    const send = () => h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image });

    const first = await send();
    const second = await send();
    await h.engine.waitForHeld(1);
    h.engine.release();
    await h.idle();

    expect(second.status).toBe(202);
    expect(second.body.operation.id).toBe(first.body.operation.id);
    expect(h.engine.mutations()).toEqual(["up preview-pr-12"]);
  });

  it("returns the last operation instead of updating when nothing changed since it succeeded", async () => {
    const h = createHarness();
    const send = () => h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image });
    const first = await send();
    await h.idle();

    const repeat = await send();

    expect(repeat.status).toBe(202);
    expect(repeat.body).toMatchObject({ status: "ready", operation: { id: first.body.operation.id, status: "succeeded" } });
    expect(h.engine.mutations()).toEqual(["up preview-pr-12"]);
  });

  it("starts a new update when the image changes", async () => {
    const h = createHarness();
    const send = (tag: string) =>
      h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image: `ghcr.io/acme/app:${tag}` });
    await send("one");
    await h.idle();

    const second = await send("two");
    await h.idle();

    expect(second.body.status).toBe("updating");
    expect(h.engine.mutations()).toEqual(["up preview-pr-12", "up preview-pr-12"]);
  });
});

describe("GET /api/v1/previews/:pr", () => {
  it("describes a ready preview from the stack outputs", async () => {
    const h = createHarness();
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 7, image, commitSha: sha("c"), branch: "main" });
    await h.idle();

    const response = await h.http.get("/api/v1/previews/7").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      pr: 7,
      stack: "preview-pr-7",
      status: "ready",
      url: "http://127.0.0.1:9/pr-7",
      image,
      commitSha: sha("c"),
      branch: "main",
      createdAt: "2030-01-02T00:00:00.000Z",
      expiresAt: "2030-01-05T00:00:00.000Z",
      lastOperation: {
        id: expect.any(String),
        kind: "up",
        status: "succeeded",
        actor: "writer",
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        error: null,
      },
    });
    expect(h.waits).toEqual(["pr-7-ns/sample-app-preview"]);
  });

  it("shows a preview being created before the engine knows the stack", async () => {
    const h = createHarness();
    h.engine.holding = true;
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 7, image });

    const response = await h.http.get("/api/v1/previews/7").set("Authorization", bearer(tokens.reader));
    await h.engine.waitForHeld(1);
    h.engine.release();
    await h.idle();

    expect(response.body).toMatchObject({ status: "creating", image, url: null });
  });

  it("answers 404 when the PR has no preview", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/previews/99").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(404);
    expect(response.type).toBe("application/problem+json");
    expect(response.body).toMatchObject({ status: 404, title: "Not Found", detail: "no preview environment for PR 99" });
  });
});

describe("GET /api/v1/previews", () => {
  it("lists previews from the engine's stacks, ignoring other stacks", async () => {
    const h = createHarness();
    h.engine.seedPreview(3);
    h.engine.seedPreview(1);
    h.engine.stacks.set("production", { config: {}, outputs: {}, updateInProgress: false });

    const response = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(200);
    expect(response.body.previews.map((preview: { pr: number; status: string }) => [preview.pr, preview.status])).toEqual([
      [1, "ready"],
      [3, "ready"],
    ]);
    expect(response.body.nextCursor).toBeNull();
  });

  it("pages by PR number with `limit` and `cursor`", async () => {
    const h = createHarness();
    for (const pr of [7, 2, 5, 9, 4]) h.engine.seedPreview(pr);
    const list = (query: string) => h.http.get(`/api/v1/previews?${query}`).set("Authorization", bearer(tokens.reader));

    const first = await list("limit=2");
    const second = await list(`limit=2&cursor=${first.body.nextCursor}`);
    const third = await list(`limit=2&cursor=${second.body.nextCursor}`);
    const tooMany = await list("limit=501");

    expect([first, second, third].map((page) => page.body.previews.map((preview: { pr: number }) => preview.pr))).toEqual([[2, 4], [5, 7], [9]]);
    expect(third.body.nextCursor).toBeNull();
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe("query.limit");
  });

  it("filters by status", async () => {
    const h = createHarness();
    h.engine.seedPreview(1);
    h.engine.seedPreview(2, {}, { deployed: false });

    const response = await h.http.get("/api/v1/previews?status=failed").set("Authorization", bearer(tokens.reader));

    expect(response.body.previews.map((preview: { pr: number }) => preview.pr)).toEqual([2]);
  });
});

describe("DELETE /api/v1/previews/:pr", () => {
  it("destroys the stack and answers 202 with the destroy operation", async () => {
    const h = createHarness();
    h.engine.seedPreview(5);

    const response = await h.http.delete("/api/v1/previews/5").set("Authorization", bearer(tokens.writer));
    await h.idle();

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ pr: 5, stack: "preview-pr-5", status: "destroying", operation: { kind: "destroy" } });
    expect(h.engine.stacks.has("preview-pr-5")).toBe(false);
    const gone = await h.http.get("/api/v1/previews/5").set("Authorization", bearer(tokens.reader));
    expect(gone.status).toBe(404);
  });

  it("answers 404 when there is nothing to destroy", async () => {
    const h = createHarness();

    const response = await h.http.delete("/api/v1/previews/5").set("Authorization", bearer(tokens.writer));

    expect(response.status).toBe(404);
    expect(h.engine.mutations()).toEqual([]);
  });

  it("returns the destroy already in flight when asked twice", async () => {
    const h = createHarness();
    h.engine.seedPreview(5);
    h.engine.holding = true;

    const first = await h.http.delete("/api/v1/previews/5").set("Authorization", bearer(tokens.writer));
    const second = await h.http.delete("/api/v1/previews/5").set("Authorization", bearer(tokens.writer));
    await h.engine.waitForHeld(1);
    h.engine.release();
    await h.idle();

    expect(second.body.operation.id).toBe(first.body.operation.id);
    expect(h.engine.mutations()).toEqual(["destroy preview-pr-5"]);
  });
});

describe("preview limits", () => {
  const create = (h: ReturnType<typeof createHarness>, pr: number) =>
    h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image, commitSha: sha("c") });

  it("refuses a new preview beyond the limit with 429 problem+json and Retry-After, touching no stack", async () => {
    const h = createHarness({ config: { previewLimits: { total: 2, perRepository: 2 } } });
    await create(h, 1);
    await create(h, 2);
    await h.idle();
    const before = h.engine.mutations().length;

    const refused = await create(h, 3);

    expect(refused.status).toBe(429);
    expect(refused.type).toBe("application/problem+json");
    expect(refused.headers["retry-after"]).toMatch(/^[1-9][0-9]*$/);
    expect(refused.body).toMatchObject({ type: "https://rollgate.dev/problems/limit-reached", detail: expect.stringContaining("limit of 2 preview environments") });
    expect(h.engine.mutations().slice(before)).toEqual([]);
  });

  it("still updates a preview that exists, and creates again once one is destroyed", async () => {
    const h = createHarness({ config: { previewLimits: { total: 2, perRepository: 2 } } });
    await create(h, 1);
    await create(h, 2);
    await h.idle();

    const update = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: `${image}-2` });
    await h.http.delete("/api/v1/previews/2").set("Authorization", bearer(tokens.writer));
    await h.idle();
    const third = await create(h, 3);

    expect(update.status).toBe(202);
    expect(third.status).toBe(202);
  });

  it("refuses creates and updates while the operation queue is full, but never a destroy", async () => {
    const h = createHarness({ config: { maxConcurrentOperations: 1, previewLimits: { total: 50, perRepository: 50, queuedOperations: 1 } } });
    h.engine.seedPreview(9);
    h.engine.holding = true;
    await create(h, 1);
    await h.engine.waitForHeld(1);
    await create(h, 2);

    const third = await create(h, 3);
    const destroy = await h.http.delete("/api/v1/previews/9").set("Authorization", bearer(tokens.writer));
    h.engine.holding = false;
    while (h.engine.held.length > 0) h.engine.release();
    await h.engine.waitForHeld(0);
    await h.idle();

    expect(third.status).toBe(429);
    expect(third.body.detail).toContain("the operation queue is full");
    expect(third.headers["retry-after"]).toBe("30");
    expect(destroy.status).toBe(202);
  });

  it("limits each repository on its own and says so on the PR when a webhook's preview is refused", async () => {
    const reports: { pr: number; state: string; error?: string }[] = [];
    const h = createHarness({
      config: { previewLimits: { total: 10, perRepository: 1 } },
      reporter: { report: async (report) => void reports.push(report) },
    });
    await h.rollgate.previews.upsert({ pr: 1, image, actor: "a", repository: "acme/app" });
    await h.idle();

    await expect(h.rollgate.previews.upsert({ pr: 2, image, actor: "a", repository: "acme/app", commitSha: sha("d") })).rejects.toThrow(
      "limit of 1 preview environments for acme/app",
    );
    const otherRepository = await h.rollgate.previews.upsert({ pr: 3, image, actor: "a", repository: "acme/web" });

    expect(otherRepository.operation.kind).toBe("up");
    expect(reports.find((report) => report.pr === 2)).toMatchObject({ state: "refused", error: expect.stringContaining("limit") });
  });
});
