import { createHmac, randomUUID } from "node:crypto";
import examplesOfEveryEvent from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import { isValidSignature } from "../../../automation/services/webhooks/githubWebhooks";
import { bearer, createHarness, sha, tokens, webhookSecret, type Harness } from "../support/harness";

function pullRequest(
  action: string,
  overrides: {
    pr?: number;
    sha?: string;
    ref?: string;
    headRepository?: string | null;
    labels?: string[];
    label?: string;
    repository?: string;
    updatedAt?: string;
  } = {},
) {
  const repository = overrides.repository ?? "acme/app";
  const headRepository = overrides.headRepository === undefined ? repository : overrides.headRepository;
  return {
    action,
    number: overrides.pr ?? 42,
    pull_request: {
      head: { sha: overrides.sha ?? sha("d"), ref: overrides.ref ?? "feature/login", repo: headRepository === null ? null : { full_name: headRepository } },
      base: { ref: "main", repo: { full_name: repository } },
      labels: (overrides.labels ?? []).map((name) => ({ id: 1, name, color: "ededed" })),
      title: "Add login",
      body: "…",
      ...(overrides.updatedAt ? { updated_at: overrides.updatedAt } : {}),
    },
    ...(overrides.label ? { label: { id: 1, name: overrides.label } } : {}),
    repository: { full_name: repository, private: true },
    sender: { login: "octocat", id: 1 },
    installation: { id: 7 },
  };
}

function sign(body: string, secret = webhookSecret): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A signed delivery, each with a delivery id of its own unless `delivery` repeats one. */
function deliver(h: Harness, event: string, payload: unknown, signature?: string | null, delivery: string = randomUUID()) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const request = h.http
    .post("/api/v1/webhooks/github")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", event)
    .set("X-GitHub-Delivery", delivery);
  if (signature !== null) request.set("X-Hub-Signature-256", signature ?? sign(body));
  return request.send(body);
}

describe("POST /api/v1/webhooks/github signatures", () => {
  it("accepts a delivery signed with the secret", async () => {
    const h = createHarness();

    const response = await deliver(h, "ping", { zen: "Keep it logically awesome." });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true, event: "ping" });
  });

  it("rejects a delivery signed with another secret with 401", async () => {
    const h = createHarness();
    const body = JSON.stringify(pullRequest("opened"));

    const response = await deliver(h, "pull_request", body, sign(body, "another-secret"));

    expect(response.status).toBe(401);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a delivery whose body was changed after signing with 401", async () => {
    const h = createHarness();
    const signature = sign(JSON.stringify(pullRequest("opened")));

    const response = await deliver(h, "pull_request", pullRequest("opened", { pr: 43 }), signature);

    expect(response.status).toBe(401);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a delivery without a signature with 401", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("opened"), null);

    expect(response.status).toBe(401);
    expect(response.body.detail).toContain("X-Hub-Signature-256");
    expect(h.engine.calls).toEqual([]);
  });

  it.each(["sha1=abc", "sha256=", `sha256=${"z".repeat(64)}`, "garbage"])("rejects the malformed signature %j with 401", async (signature) => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("opened"), signature);

    expect(response.status).toBe(401);
    expect(h.engine.calls).toEqual([]);
  });

  it("does not accept a bearer token instead of a signature", async () => {
    const h = createHarness();

    const response = await h.http
      .post("/api/v1/webhooks/github")
      .set("Authorization", bearer(tokens.admin))
      .set("X-GitHub-Event", "pull_request")
      .send(pullRequest("opened"));

    expect(response.status).toBe(401);
  });

  it("answers 503 when webhooks are not configured", async () => {
    const h = createHarness({ config: { githubWebhookSecret: undefined } });

    const response = await deliver(h, "ping", {});

    expect(response.status).toBe(503);
  });

  it("checks signatures in constant time on equal-length digests", () => {
    const body = Buffer.from("{}");
    expect(isValidSignature("s", body, sign("{}", "s"))).toBe(true);
    expect(isValidSignature("s", body, sign("{}", "t"))).toBe(false);
    expect(isValidSignature("s", body, undefined)).toBe(false);
  });
});

describe("POST /api/v1/webhooks/github events", () => {
  it.each(["opened", "reopened", "synchronize"])("creates or updates the preview on pull_request %s", async (action) => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest(action));
    await h.idle();

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ event: "pull_request", action, pr: 42, stack: "preview-pr-42", operation: { kind: "up" } });
    const config = h.engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:image"]?.value).toBe(`ghcr.io/acme/app:pr-42-${sha("d")}`);
    expect(config?.["rollgate:branch"]?.value).toBe("feature/login");
    expect(config?.["rollgate:commitSha"]?.value).toBe(sha("d"));
  });

  it("records the sender as the operation's actor", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("opened"));
    await h.idle();

    const operation = await h.http.get(`/api/v1/operations/${response.body.operation.id}`).set("Authorization", bearer(tokens.reader));
    expect(operation.body.actor).toBe("github:octocat");
    expect(h.engine.calls.find((call) => call.method === "up")?.config?.["rollgate:deployedBy"]?.value).toBe("github:octocat");
  });

  it("destroys the preview when the pull request is closed", async () => {
    const h = createHarness();
    await deliver(h, "pull_request", pullRequest("opened"));
    await h.idle();

    const response = await deliver(h, "pull_request", pullRequest("closed"));
    await h.idle();

    expect(response.status).toBe(202);
    expect(response.body.operation.kind).toBe("destroy");
    expect(h.engine.stacks.has("preview-pr-42")).toBe(false);
  });

  it("ignores closing a pull request that has no preview", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("closed"));

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ ignored: true });
    expect(h.engine.mutations()).toEqual([]);
  });

  it.each([
    ["issues", { action: "opened" }],
    ["push", { ref: "refs/heads/main" }],
  ])("ignores %s events with 202", async (event, payload) => {
    const h = createHarness();

    const response = await deliver(h, event, payload);

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ ignored: true, event });
    expect(h.engine.calls).toEqual([]);
  });

  it("ignores pull_request actions that need no change", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("labeled"));

    expect(response.status).toBe(202);
    expect(response.body.ignored).toBe(true);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a signed pull_request payload with a malformed SHA with 400", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("opened", { sha: "not-a-sha" }));

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe("body.pull_request.head.sha");
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a signed pull_request payload with a malformed branch with 400", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", pullRequest("opened", { ref: "a..b" }));

    expect(response.status).toBe(400);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects signed malformed JSON with 400", async () => {
    const h = createHarness();

    const response = await deliver(h, "pull_request", "{not json");

    expect(response.status).toBe(400);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a delivery without X-GitHub-Event with 400", async () => {
    const h = createHarness();
    const body = JSON.stringify(pullRequest("opened"));

    const response = await h.http
      .post("/api/v1/webhooks/github")
      .set("Content-Type", "application/json")
      .set("X-Hub-Signature-256", sign(body))
      .send(body);

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe("headers.x-github-event");
  });
});

describe("POST /api/v1/webhooks/github replays", () => {
  it("answers a replayed delivery 200 duplicate and changes nothing", async () => {
    const h = createHarness();
    const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    const opened = await deliver(h, "pull_request", pullRequest("opened"), undefined, delivery);
    await h.idle();
    const closed = await deliver(h, "pull_request", pullRequest("closed"));
    await h.idle();

    const replayed = await deliver(h, "pull_request", pullRequest("opened"), undefined, delivery);
    await h.idle();

    expect([opened.status, closed.status]).toEqual([202, 202]);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({ duplicate: true, event: "pull_request", delivery });
    expect(h.engine.mutations()).toEqual(["up preview-pr-42", "destroy preview-pr-42"]);
  });

  it("drops a synchronize about an older head than the preview's, delivered late, and changes nothing", async () => {
    const h = createHarness();
    const newer = await deliver(h, "pull_request", pullRequest("synchronize", { sha: sha("b"), updatedAt: "2026-12-05T10:02:00Z" }));
    await h.idle();

    const older = await deliver(h, "pull_request", pullRequest("synchronize", { sha: sha("a"), updatedAt: "2026-12-05T10:01:00Z" }));
    await h.idle();
    const next = await deliver(h, "pull_request", pullRequest("synchronize", { sha: sha("c"), updatedAt: "2026-12-05T10:03:00+00:00" }));
    await h.idle();

    expect(newer.status).toBe(202);
    expect(older.status).toBe(202);
    expect(older.body).toMatchObject({ ignored: true, reason: expect.stringContaining("older than the preview's head") });
    expect(next.body).toMatchObject({ action: "synchronize", operation: { kind: "up" } });
    expect(h.engine.mutations()).toEqual(["up preview-pr-42", "up preview-pr-42"]);
    const preview = await h.http.get("/api/v1/previews/42").set("Authorization", bearer(tokens.admin));
    expect(preview.body.commitSha).toBe(sha("c"));
  });

  it("accepts event names with digits, as GitHub sends them (projects_v2_item), ignoring them with a reason", async () => {
    const h = createHarness();

    const response = await deliver(h, "projects_v2_item", { action: "edited" });

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ ignored: true, event: "projects_v2_item" });
  });
});

describe("POST /api/v1/webhooks/github: which pull requests get a preview", () => {
  it("ignores deliveries of a repository other than ROLLGATE_GITHUB_REPOSITORY (two repositories sharing a secret)", async () => {
    const h = createHarness({ config: { githubRepository: "acme/app" } });

    const other = await deliver(h, "pull_request", pullRequest("opened", { repository: "acme/other" }));
    const closed = await deliver(h, "pull_request", pullRequest("closed", { repository: "acme/other" }));

    expect(other.status).toBe(202);
    expect(other.body).toMatchObject({ ignored: true, reason: "repository acme/other is not acme/app, the one previews are for" });
    expect(closed.body).toMatchObject({ ignored: true });
    expect(h.engine.calls).toEqual([]);
  });

  it("deploys nothing from a fork until a maintainer adds the `preview` label", async () => {
    const h = createHarness();
    const fork = { headRepository: "mallory/app" };

    const opened = await deliver(h, "pull_request", pullRequest("opened", fork));
    const deletedFork = await deliver(h, "pull_request", pullRequest("synchronize", { headRepository: null }));
    expect(h.engine.calls).toEqual([]);
    const labelled = await deliver(h, "pull_request", pullRequest("labeled", { ...fork, labels: ["preview"], label: "preview" }));
    await h.idle();

    expect(opened.body).toMatchObject({ ignored: true, reason: expect.stringContaining("comes from a fork") });
    expect(deletedFork.body).toMatchObject({ ignored: true });
    expect(labelled.status).toBe(202);
    expect(labelled.body).toMatchObject({ event: "pull_request", action: "labeled", operation: { kind: "up" } });
  });

  it("with ROLLGATE_PREVIEW_TRIGGER=label deploys labelled PRs only and destroys the preview when the label goes", async () => {
    const h = createHarness({ config: { previewTrigger: { trigger: "label", label: "deploy-preview", forks: "skip" } } });

    const unlabelled = await deliver(h, "pull_request", pullRequest("opened"));
    const labelled = await deliver(h, "pull_request", pullRequest("labeled", { labels: ["deploy-preview"], label: "deploy-preview" }));
    await h.idle();
    const otherLabel = await deliver(h, "pull_request", pullRequest("unlabeled", { labels: ["deploy-preview"], label: "bug" }));
    const unlabeled = await deliver(h, "pull_request", pullRequest("unlabeled", { labels: [], label: "deploy-preview" }));
    await h.idle();

    expect(unlabelled.body).toMatchObject({ ignored: true, reason: "PR 42 has no `deploy-preview` label" });
    expect(labelled.body.operation.kind).toBe("up");
    expect(otherLabel.body).toMatchObject({ ignored: true });
    expect(unlabeled.body.operation.kind).toBe("destroy");
    expect(h.engine.stacks.has("preview-pr-42")).toBe(false);
  });
});

describe("POST /api/v1/webhooks/github with every event GitHub documents", () => {
  // Real payloads of every event and action (@octokit/webhooks-examples), signed: each gets a 2xx, handled or
  // ignored with a reason, so GitHub never records a failed delivery for an event Rollgate does not act on.
  const examples = (examplesOfEveryEvent as { name: string; examples: Record<string, unknown>[] }[]).flatMap((event) =>
    event.examples.map((payload, index) => [`${event.name}${typeof payload.action === "string" ? `.${payload.action}` : ""} #${index}`, event.name, payload] as const),
  );

  it.each(examples)("answers %s with a 2xx", async (_name, event, payload) => {
    const h = createHarness({ config: { githubRepository: "acme/app" } });

    const response = await deliver(h, event, payload);

    expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(200);
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  });

  it("refuses every one of them with a forged signature", async () => {
    const h = createHarness();
    const statuses = new Set<number>();
    for (const [, event, payload] of examples.slice(0, 40)) {
      statuses.add((await deliver(h, event, payload, `sha256=${"0".repeat(64)}`)).status);
    }

    expect([...statuses]).toEqual([401]);
    expect(h.engine.calls).toEqual([]);
  });
});
