import { describe, expect, it } from "vitest";
import { FakeEngine, KEYS, harness } from "../release/fakes";
import { CANARY, bearer, createReleaseHarness, finished, releaseTokens, type ReleaseHarness } from "./support";

const sha = "A".repeat(40);

async function startRelease(h: ReleaseHarness, body: object = {}, token: string = releaseTokens.admin) {
  return h.http
    .post("/api/v1/releases")
    .set("Authorization", bearer(token))
    .send({ environment: "staging", image: CANARY, ...body });
}

describe("POST /api/v1/releases", () => {
  it("starts a release and answers 202 with its id, status, step and weight", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { commitSha: sha });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "rel-1", environment: "staging", status: "progressing", step: 0, weight: 0 });
    expect(response.headers.location).toBe("/api/v1/releases/rel-1");
  });

  it("hands the controller the parsed request with defaults, and the token's name as actor", async () => {
    const h = createReleaseHarness();

    await startRelease(h, { commitSha: sha }, releaseTokens.staging);

    const [started] = h.controller.started;
    expect(started?.actor).toBe("ci-staging");
    expect(started?.request.commitSha).toBe("a".repeat(40));
    expect(started?.request.steps).toBeUndefined(); // the release's risk level picks the plan
    expect(started?.request.analysis).toMatchObject({ windowSeconds: 300, count: 1, minRequests: 50 });
  });

  it("takes custom steps and analysis settings", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, {
      steps: [
        { weight: 10, pauseSeconds: 30 },
        { weight: 100, pauseSeconds: 0 },
      ],
      analysis: { count: 3, intervalSeconds: 10, errorRate: { maxRatio: 0.05 }, latency: { enabled: false } },
    });

    expect(response.status).toBe(202);
    const request = h.controller.started[0]?.request;
    expect(request?.steps).toEqual([
      { weight: 10, pauseSeconds: 30 },
      { weight: 100, pauseSeconds: 0 },
    ]);
    expect(request?.analysis).toMatchObject({ count: 3, intervalSeconds: 10, errorRate: { maxRatio: 0.05 }, latency: { enabled: false } });
  });

  it("answers 409 when the environment already has an active release", async () => {
    const h = createReleaseHarness();
    await startRelease(h);

    const second = await startRelease(h, { image: "ghcr.io/acme/web:1.2.0" });

    expect(second.status).toBe(409);
    expect(second.type).toBe("application/problem+json");
    expect(second.body.detail).toContain("already has an active release (rel-1)");
  });

  it("lets another environment start while one is active, and the same one once the first has finished", async () => {
    const h = createReleaseHarness();
    await startRelease(h);

    const production = await startRelease(h, { environment: "production" });
    h.controller.update("rel-1", finished("rolledBack", "analysis failed"));
    const again = await startRelease(h);

    expect(production.status).toBe(202);
    expect(again.status).toBe(202);
  });

  it("answers 404 naming the environment when it has no stack", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { environment: "qa" });

    expect(response.status).toBe(404);
    expect(response.body.detail).toBe("environment `qa` has no stack; deploy its stack (stable image) before releasing to it");
  });

  it("answers 400 naming the field when the controller refuses the request", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { image: "ghcr.io/acme/web:1.0.0" });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: "body.image", message: "is already the stable image of `staging`" }]);
  });
});

describe("mirror and header steps", () => {
  const nginxEnvironment = () => {
    const engine = new FakeEngine({ staging: { [KEYS.stableImage]: "ghcr.io/acme/web:1.0.0", "rollgate:router": "nginx" } });
    return harness({ engine });
  };

  it("answers 400 naming the router and the step's field when the router cannot mirror, and creates nothing", async () => {
    const release = nginxEnvironment();
    const h = createReleaseHarness({ controller: release.controller });

    const response = await startRelease(h, { steps: [{ mirror: 10, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }] });

    expect(response.status).toBe(400);
    expect(response.type).toBe("application/problem+json");
    expect(response.body.detail).toBe("`steps[0].mirror` cannot be used: router nginx cannot mirror traffic");
    expect(response.body.errors).toEqual([{ path: "body.steps[0].mirror", message: "cannot be used: router nginx cannot mirror traffic" }]);
    expect(await release.store.list()).toEqual([]);
    expect(release.engine.ups).toEqual([]);
  });

  it("hands a header step to the controller in its parsed form", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { steps: [{ header: { name: "X-Canary", value: "internal" } }, { weight: 100 }] });

    expect(response.status).toBe(202);
    expect(h.controller.started[0]?.request.steps?.[0]).toEqual({ header: { name: "x-canary", value: "internal" }, pauseSeconds: 300 });
  });
});

const badBodies: [string, object, string][] = [
  ["a missing environment", { environment: undefined }, "body.environment"],
  ["an upper-case environment", { environment: "Production" }, "body.environment"],
  ["the reserved environment name read", { environment: "read" }, "body.environment"],
  ["a missing image", { image: undefined }, "body.image"],
  ["an image with shell characters", { image: "ghcr.io/acme/web:1;reboot" }, "body.image"],
  ["a short commit sha", { commitSha: "abc1234" }, "body.commitSha"],
  ["a weight of 0", { steps: [{ weight: 0, pauseSeconds: 10 }] }, "body.steps.0.weight"],
  ["a weight above 100", { steps: [{ weight: 101, pauseSeconds: 10 }] }, "body.steps.0.weight"],
  ["a fractional weight", { steps: [{ weight: 2.5 }] }, "body.steps.0.weight"],
  ["weights that do not increase", { steps: [{ weight: 50 }, { weight: 25 }] }, "body.steps.1.weight"],
  ["no steps", { steps: [] }, "body.steps"],
  ["a negative pause", { steps: [{ weight: 5, pauseSeconds: -1 }] }, "body.steps.0.pauseSeconds"],
  ["an unknown step field", { steps: [{ weight: 5, hold: 3 }] }, "body.steps.0"],
  ["an unknown analysis field", { analysis: { threshold: 1 } }, "body.analysis"],
  ["an error ratio above 1", { analysis: { errorRate: { maxRatio: 2 } } }, "body.analysis.errorRate.maxRatio"],
  ["a custom query without conditions", { analysis: { queries: [{ name: "q", query: "up" }] } }, "body.analysis.queries.0.successCondition"],
  ["an unknown field", { namespace: "kube-system" }, "body"],
  ["a step of two forms", { steps: [{ weight: 5, mirror: 5 }] }, "body.steps.0.mirror"],
  ["a mirror percent above 100", { steps: [{ mirror: 101 }] }, "body.steps.0.mirror"],
  ["a header name with a space", { steps: [{ header: { name: "x canary", value: "1" } }] }, "body.steps.0.header.name"],
  ["an empty header value", { steps: [{ header: { name: "x-canary", value: "" } }] }, "body.steps.0.header.value"],
  ["a mirror step after a weight step", { steps: [{ weight: 5 }, { mirror: 5 }] }, "body.steps.1.mirror"],
];

describe("bad start requests", () => {
  it.each(badBodies)("rejects %s with 400 naming the field, before the controller", async (_label, body, path) => {
    const h = createReleaseHarness();

    const response = await startRelease(h, body);

    expect(response.status).toBe(400);
    expect(response.type).toBe("application/problem+json");
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(h.controller.calls).toEqual([]);
  });

  it("lists every bad field at once", async () => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { environment: "X", image: "", steps: [{ weight: 500 }] });

    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(
      expect.arrayContaining(["body.environment", "body.image", "body.steps.0.weight"]),
    );
  });

  it("answers 415 for a body that is not JSON", async () => {
    const h = createReleaseHarness();

    const response = await h.http.post("/api/v1/releases").set("Authorization", bearer(releaseTokens.admin)).type("text/plain").send("environment=staging");

    expect(response.status).toBe(415);
    expect(h.controller.calls).toEqual([]);
  });
});

describe("GET /api/v1/releases and /api/v1/releases/:id", () => {
  it("returns the full record of a release", async () => {
    const h = createReleaseHarness();
    await startRelease(h, { commitSha: sha }, releaseTokens.staging);

    const response = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.reader));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: "rel-1",
      environment: "staging",
      image: CANARY,
      previousImage: "ghcr.io/acme/web:1.0.0",
      commitSha: "a".repeat(40),
      status: "progressing",
      step: 0,
      stepCount: 4,
      weight: 0,
      analysis: [],
      finishedAt: null,
      reason: null,
      actor: "ci-staging",
      pending: null,
    });
    expect(response.body.steps).toHaveLength(4);
    expect(response.body.analysisConfig.errorRate.maxRatio).toBe(0.01);
    expect(response.body.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("answers 404 for an unknown release and 400 for a malformed id", async () => {
    const h = createReleaseHarness();

    const missing = await h.http.get("/api/v1/releases/rel-404").set("Authorization", bearer(releaseTokens.admin));
    const malformed = await h.http.get("/api/v1/releases/..%2Fetc").set("Authorization", bearer(releaseTokens.admin));

    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe("release `rel-404` not found");
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe("params.id");
  });

  it("lists summaries newest first, filtered by environment and status", async () => {
    const h = createReleaseHarness();
    await startRelease(h);
    h.controller.update("rel-1", finished("succeeded"));
    await startRelease(h, { image: "ghcr.io/acme/web:1.2.0" });
    await startRelease(h, { environment: "production" });

    const all = await h.http.get("/api/v1/releases").set("Authorization", bearer(releaseTokens.reader));
    const staging = await h.http.get("/api/v1/releases?environment=staging").set("Authorization", bearer(releaseTokens.reader));
    const succeeded = await h.http.get("/api/v1/releases?status=succeeded").set("Authorization", bearer(releaseTokens.reader));

    expect(all.body.releases.map((release: { id: string }) => release.id)).toEqual(["rel-3", "rel-2", "rel-1"]);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.releases[0]).not.toHaveProperty("analysis");
    expect(all.body.releases[0]).toMatchObject({ environment: "production", stepCount: 4, status: "progressing" });
    expect(staging.body.releases.map((release: { id: string }) => release.id)).toEqual(["rel-2", "rel-1"]);
    expect(succeeded.body.releases.map((release: { id: string }) => release.id)).toEqual(["rel-1"]);
  });

  it("pages the list with `limit` and `cursor`, each release once, even when one changes status between pages", async () => {
    const h = createReleaseHarness();
    await startRelease(h);
    h.controller.update("rel-1", finished("succeeded"));
    await startRelease(h, { image: "ghcr.io/acme/web:1.2.0" });
    h.controller.update("rel-2", finished("succeeded"));
    await startRelease(h, { image: "ghcr.io/acme/web:1.3.0" });
    const list = (query: string) => h.http.get(`/api/v1/releases?${query}`).set("Authorization", bearer(releaseTokens.reader));

    const first = await list("limit=2");
    h.controller.update("rel-3", finished("succeeded"));
    const second = await list(`limit=2&status=succeeded&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const badCursor = await list("cursor=rel-1");

    expect(first.body.releases.map((release: { id: string }) => release.id)).toEqual(["rel-3", "rel-2"]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body).toMatchObject({ releases: [{ id: "rel-1" }], nextCursor: null });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].path).toBe("query.cursor");
  });

  it("rejects unknown query parameters and bad filters", async () => {
    const h = createReleaseHarness();

    const unknown = await h.http.get("/api/v1/releases?env=staging").set("Authorization", bearer(releaseTokens.reader));
    const badStatus = await h.http.get("/api/v1/releases?status=done").set("Authorization", bearer(releaseTokens.reader));

    expect(unknown.status).toBe(400);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.errors[0].path).toBe("query.status");
  });
});

describe("release commands", () => {
  it.each([
    ["promote", "promote"],
    ["abort", "abort"],
    ["pause", "pause"],
  ] as const)("POST /%s answers 202 with the record and the pending action", async (command, action) => {
    const h = createReleaseHarness();
    await startRelease(h);

    const response = await h.http
      .post(`/api/v1/releases/rel-1/${command}`)
      .set("Authorization", bearer(releaseTokens.staging))
      .send({ reason: "TICKET-7" });

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ id: "rel-1", status: "progressing", pending: { action, actor: "ci-staging", reason: "TICKET-7" } });
    expect(h.controller.mutations()).toEqual(["start staging admin", `${command} rel-1 ci-staging`]);
  });

  it("resumes a paused release", async () => {
    const h = createReleaseHarness();
    await startRelease(h);
    h.controller.update("rel-1", (release) => ({ ...release, status: "paused", reason: "inconclusive" }));

    const response = await h.http.post("/api/v1/releases/rel-1/resume").set("Authorization", bearer(releaseTokens.staging));

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: "progressing", pending: null, reason: null });
  });

  it("accepts a command without a body", async () => {
    const h = createReleaseHarness();
    await startRelease(h);

    const response = await h.http.post("/api/v1/releases/rel-1/abort").set("Authorization", bearer(releaseTokens.admin));

    expect(response.status).toBe(202);
    expect(response.body.pending).toMatchObject({ action: "abort", reason: "aborted by admin" });
  });

  it("answers 409 for a command the release's state does not allow", async () => {
    const h = createReleaseHarness();
    await startRelease(h);
    h.controller.update("rel-1", finished("succeeded"));

    const response = await h.http.post("/api/v1/releases/rel-1/abort").set("Authorization", bearer(releaseTokens.admin));

    expect(response.status).toBe(409);
    expect(response.body.detail).toContain("the release has finished");
  });

  it("answers 404 for an unknown release and 400 for an unknown body field", async () => {
    const h = createReleaseHarness();
    await startRelease(h);

    const missing = await h.http.post("/api/v1/releases/rel-9/promote").set("Authorization", bearer(releaseTokens.admin));
    const badBody = await h.http.post("/api/v1/releases/rel-1/promote").set("Authorization", bearer(releaseTokens.admin)).send({ force: true });

    expect(missing.status).toBe(404);
    expect(badBody.status).toBe(400);
    expect(h.controller.mutations()).toEqual(["start staging admin"]);
  });
});

const releaseRoutes = [
  ["post", "/api/v1/releases"],
  ["get", "/api/v1/releases"],
  ["get", "/api/v1/releases/rel-1"],
  ["post", "/api/v1/releases/rel-1/promote"],
  ["post", "/api/v1/releases/rel-1/abort"],
  ["post", "/api/v1/releases/rel-1/pause"],
  ["post", "/api/v1/releases/rel-1/resume"],
] as const;

describe("release access", () => {
  it.each(releaseRoutes)("%s %s answers 401 without a token", async (method, path) => {
    const h = createReleaseHarness();

    const response = await h.http[method](path);

    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(h.controller.calls).toEqual([]);
  });

  it.each(["staging", "production"])("a previews-only token cannot start a release in %s", async (environment) => {
    const h = createReleaseHarness();

    const response = await startRelease(h, { environment }, releaseTokens.previews);

    expect(response.status).toBe(403);
    expect(response.body.detail).toBe(`this token lacks the \`releases:${environment}\` scope`);
    expect(h.controller.calls).toEqual([]);
  });

  it("a staging token starts in staging but not in production", async () => {
    const h = createReleaseHarness();

    const staging = await startRelease(h, {}, releaseTokens.staging);
    const production = await startRelease(h, { environment: "production" }, releaseTokens.staging);

    expect(staging.status).toBe(202);
    expect(production.status).toBe(403);
    expect(h.controller.mutations()).toEqual(["start staging ci-staging"]);
  });

  it.each(["promote", "abort", "pause", "resume"])("a token without the environment's scope cannot %s its release", async (command) => {
    const h = createReleaseHarness();
    await startRelease(h, { environment: "production" });

    const previews = await h.http.post(`/api/v1/releases/rel-1/${command}`).set("Authorization", bearer(releaseTokens.previews));
    const staging = await h.http.post(`/api/v1/releases/rel-1/${command}`).set("Authorization", bearer(releaseTokens.staging));
    const reader = await h.http.post(`/api/v1/releases/rel-1/${command}`).set("Authorization", bearer(releaseTokens.reader));

    expect([previews.status, staging.status, reader.status]).toEqual([403, 403, 403]);
    expect(staging.body.detail).toBe("this token lacks the `releases:production` scope");
    expect(h.controller.mutations()).toEqual(["start production admin"]);
  });

  it("a releases:* token may do everything", async () => {
    const h = createReleaseHarness();

    const started = await startRelease(h, { environment: "production" }, releaseTokens.allReleases);
    const read = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.allReleases));
    const aborted = await h.http.post("/api/v1/releases/rel-1/abort").set("Authorization", bearer(releaseTokens.allReleases));

    expect([started.status, read.status, aborted.status]).toEqual([202, 200, 202]);
  });

  it("reads need releases:read or the environment's scope", async () => {
    const h = createReleaseHarness();
    await startRelease(h, { environment: "production" });

    const previews = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.previews));
    const staging = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.staging));
    const reader = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.reader));
    const production = await h.http.get("/api/v1/releases/rel-1").set("Authorization", bearer(releaseTokens.production));

    expect([previews.status, staging.status, reader.status, production.status]).toEqual([403, 403, 200, 200]);
    expect(staging.body.detail).toBe("this token lacks the `releases:read` or `releases:production` scope");
  });

  it("lists only the environments a token may read", async () => {
    const h = createReleaseHarness();
    await startRelease(h);
    await startRelease(h, { environment: "production" });

    const staging = await h.http.get("/api/v1/releases").set("Authorization", bearer(releaseTokens.staging));
    const stagingOnProduction = await h.http.get("/api/v1/releases?environment=production").set("Authorization", bearer(releaseTokens.staging));
    const previews = await h.http.get("/api/v1/releases").set("Authorization", bearer(releaseTokens.previews));

    expect(staging.status).toBe(200);
    expect(staging.body.releases.map((release: { environment: string }) => release.environment)).toEqual(["staging"]);
    expect(stagingOnProduction.status).toBe(403);
    expect(previews.status).toBe(403);
  });
});

describe("without a release controller", () => {
  it("answers 503 on the release routes", async () => {
    const h = createReleaseHarness({ controller: null });

    const response = await startRelease(h);
    const list = await h.http.get("/api/v1/releases").set("Authorization", bearer(releaseTokens.reader));

    expect(response.status).toBe(503);
    expect(response.body.detail).toContain("releases are not configured");
    expect(list.status).toBe(503);
  });
});

describe("the app's life cycle", () => {
  it("recovers releases with crash recovery, once, and closes the controller when draining", async () => {
    const h = createReleaseHarness();

    await h.rollgate.recover();
    await h.rollgate.recover();
    const drained = await h.rollgate.drain(1000);

    expect(h.controller.calls).toEqual(["recover", "close"]);
    expect(drained).toBe(true);
  });

  it("logs a failed release recovery and still starts serving", async () => {
    const h = createReleaseHarness();
    h.controller.recover = async () => {
      throw new Error("release record releases/x.json is unreadable");
    };

    await h.rollgate.recover();

    expect(h.rollgate.lifecycle()).toBe("serving");
    expect(h.logs.join("")).toContain("release recovery failed");
  });

  it("reports a drain that outlasts the timeout", async () => {
    const h = createReleaseHarness();
    h.controller.close = () => new Promise<void>(() => undefined);

    expect(await h.rollgate.drain(20)).toBe(false);
  });
});

describe("the OpenAPI document", () => {
  it("documents every release route with its scope", async () => {
    const h = createReleaseHarness();

    const document = (await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(releaseTokens.reader))).body as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>>;
    };

    expect(Object.keys(document.paths["/api/v1/releases"] ?? {}).sort()).toEqual(["get", "post"]);
    for (const command of ["promote", "abort", "pause", "resume"]) {
      expect(document.paths[`/api/v1/releases/{id}/${command}`]?.post?.description).toContain("releases:<environment>");
    }
    expect(document.paths["/api/v1/releases/{id}"]?.get?.description).toContain("releases:read");
    expect(Object.keys(document.paths["/api/v1/releases"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["202", "400", "401", "403", "404", "409"]),
    );
  });

  it("documents the start body from the zod schema, strict, with step constraints", async () => {
    const h = createReleaseHarness();

    const document = (await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(releaseTokens.admin))).body;
    const schema = document.paths["/api/v1/releases"].post.requestBody.content["application/json"].schema;

    expect(schema).toMatchObject({ type: "object", required: ["environment", "image"], additionalProperties: false });
    expect(schema.properties.commitSha.pattern).toBe("^[0-9a-fA-F]{40}$");
    expect(schema.properties.steps.items.properties.weight).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
    expect(schema.properties.steps.items.additionalProperties).toBe(false);
  });
});
