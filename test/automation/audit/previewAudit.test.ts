import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bearer, createHarness, sha, tokens, webhookSecret, type Harness } from "../support/harness";

async function trail(h: Harness) {
  await h.idle();
  await h.rollgate.audit.flush();
  return (await h.rollgate.audit.query({})).records;
}

function deliverPullRequest(h: Harness, action: string, pr: number) {
  const body = JSON.stringify({
    action,
    number: pr,
    pull_request: { head: { sha: sha("d"), ref: "feature/login", repo: { full_name: "acme/app" } }, base: { repo: { full_name: "acme/app" } }, labels: [] },
    repository: { full_name: "acme/app" },
    sender: { login: "octocat" },
  });
  return h.http
    .post("/api/v1/webhooks/github")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "pull_request")
    .set("X-Hub-Signature-256", `sha256=${createHmac("sha256", webhookSecret).update(body).digest("hex")}`)
    .send(body);
}

describe("the audit trail of preview operations", () => {
  it("records a create through the API: who, what, when, why, result and duration", async () => {
    const h = createHarness();

    await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ pr: 7, image: "ghcr.io/acme/app:pr-7", commitSha: sha("a") });
    const [record] = await trail(h);

    expect(record).toMatchObject({
      at: "2030-01-02T00:00:00.000Z",
      actor: "writer",
      action: "preview.up",
      cause: { kind: "api", detail: null },
      result: "succeeded",
      durationMs: 0,
      subject: { environment: "preview", stack: "preview-pr-7", pr: 7, image: "ghcr.io/acme/app:pr-7", commitSha: sha("a") },
      detail: null,
    });
    expect(record?.subject.operationId).toEqual(expect.any(String));
  });

  it("records a failed update with the error", async () => {
    const h = createHarness();
    h.engine.failUp = () => new Error("quota exceeded");

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 8, image: "ghcr.io/acme/app:1" });
    const [record] = await trail(h);

    expect(record).toMatchObject({ action: "preview.up", result: "failed", detail: expect.stringContaining("quota exceeded") });
  });

  it("records a destroy through the API", async () => {
    const h = createHarness();
    h.engine.seedPreview(3);

    await h.http.delete("/api/v1/previews/3").set("Authorization", bearer(tokens.writer));
    const [record] = await trail(h);

    expect(record).toMatchObject({ actor: "writer", action: "preview.destroy", cause: { kind: "api" }, result: "succeeded", subject: { pr: 3 } });
  });

  it("records webhook-triggered operations with the GitHub actor", async () => {
    const h = createHarness();

    await deliverPullRequest(h, "opened", 42);
    await h.idle();
    h.clock.advanceHours(1);
    await deliverPullRequest(h, "closed", 42);
    const records = await trail(h);

    expect(records.map((record) => [record.action, record.actor, record.cause.kind])).toEqual([
      ["preview.destroy", "github:octocat", "webhook"],
      ["preview.up", "github:octocat", "webhook"],
    ]);
    expect(records[1]?.subject).toMatchObject({ pr: 42, image: `ghcr.io/acme/app:pr-42-${sha("d")}`, commitSha: sha("d") });
  });

  it("records TTL-expiry destroys of the reaper", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });

    await h.rollgate.reaper.runOnce();
    const [record] = await trail(h);

    expect(record).toMatchObject({ actor: "rollgate-reaper", action: "preview.destroy", cause: { kind: "ttl-expiry" }, subject: { pr: 1 } });
  });
});

describe("GET /api/v1/audit", () => {
  it("pages through the trail newest first with the audit:read scope", async () => {
    const h = createHarness();
    for (const pr of [1, 2, 3]) {
      await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image: `ghcr.io/acme/app:${pr}` });
      await h.idle();
      h.clock.advanceHours(1);
    }
    await trail(h);

    const first = await h.http.get("/api/v1/audit?limit=2").set("Authorization", bearer(tokens.auditor));
    const second = await h.http.get(`/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`).set("Authorization", bearer(tokens.auditor));

    expect(first.status).toBe(200);
    expect(first.body.records.map((record: { subject: { pr: number } }) => record.subject.pr)).toEqual([3, 2]);
    expect(second.body).toMatchObject({ records: [{ subject: { pr: 1 } }], nextCursor: null });
  });

  it("filters by environment and time", async () => {
    const h = createHarness();
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: "ghcr.io/acme/app:1" });
    await trail(h);

    const previews = await h.http.get("/api/v1/audit?environment=preview&since=2030-01-02T00:00:00Z").set("Authorization", bearer(tokens.admin));
    const production = await h.http.get("/api/v1/audit?environment=production").set("Authorization", bearer(tokens.admin));
    const later = await h.http.get("/api/v1/audit?since=2030-01-02T00:00:01Z").set("Authorization", bearer(tokens.admin));

    expect(previews.body.records).toHaveLength(1);
    expect(production.body.records).toEqual([]);
    expect(later.body.records).toEqual([]);
  });

  it("needs the audit:read scope", async () => {
    const h = createHarness();

    const reader = await h.http.get("/api/v1/audit").set("Authorization", bearer(tokens.reader));
    const anonymous = await h.http.get("/api/v1/audit");

    expect(reader.status).toBe(403);
    expect(reader.body.detail).toContain("audit:read");
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=abc", "query.limit"],
    ["limit=501", "query.limit"],
    ["since=yesterday", "query.since"],
    ["cursor=abc", "query.cursor"],
    ["environment=Prod!", "query.environment"],
    ["colour=red", "query"],
  ])("answers 400 naming the field for %s", async (query, path) => {
    const h = createHarness();

    const response = await h.http.get(`/api/v1/audit?${query}`).set("Authorization", bearer(tokens.auditor));

    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });
});
