import type { Server } from "node:http";
import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../../automation/logger";
import { GitHubClient } from "../../../../automation/services/github/client";
import { commentMarker, GitHubReporter } from "../../../../automation/services/github/reporter";
import { bearer, createHarness, sha, tokens } from "../../support/harness";
import { fastRetries, generateAppKey, installationTokenReply, startFakeGitHub as startScriptedGitHub } from "./fakeGitHub";

interface FakeGitHub {
  readonly url: string;
  readonly statuses: { sha: string; body: Record<string, unknown> }[];
  readonly comments: { id: number; body: string; user: { login: string } }[];
  readonly authorizations: string[];
  failStatuses: boolean;
  close(): Promise<void>;
}

/** Just enough of the GitHub REST API: statuses and issue comments of acme/app. */
async function startFakeGitHub(): Promise<FakeGitHub> {
  const app = express();
  app.use(express.json());
  const state: Omit<FakeGitHub, "url" | "close"> = { statuses: [], comments: [], authorizations: [], failStatuses: false };
  let nextId = 100;
  app.use((req, _res, next) => {
    state.authorizations.push(req.headers.authorization ?? "");
    next();
  });
  app.post("/repos/acme/app/statuses/:sha", (req, res) => {
    if (state.failStatuses) {
      res.status(500).json({ message: "boom" });
      return;
    }
    state.statuses.push({ sha: req.params.sha, body: req.body as Record<string, unknown> });
    res.status(201).json({ id: state.statuses.length });
  });
  app.get("/user", (_req, res) => {
    res.json({ login: "rollgate-bot", id: 9 });
  });
  app.get("/repos/acme/app/issues/:issue/comments", (_req, res) => {
    res.json([{ id: 1, body: "Looks good to me", user: { login: "octocat" } }, ...state.comments]);
  });
  app.post("/repos/acme/app/issues/:issue/comments", (req, res) => {
    const comment = { id: nextId++, body: String((req.body as { body: string }).body), user: { login: "rollgate-bot" } };
    state.comments.push(comment);
    res.status(201).json(comment);
  });
  app.patch("/repos/acme/app/issues/comments/:id", (req, res) => {
    const comment = state.comments.find((candidate) => candidate.id === Number(req.params.id));
    if (!comment) {
      res.status(404).json({ message: "Not Found" });
      return;
    }
    comment.body = String((req.body as { body: string }).body);
    res.json(comment);
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function reporterFor(fake: FakeGitHub, logs?: string[]): GitHubReporter {
  const logger = logs
    ? createLogger(
        "debug",
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            logs.push(chunk.toString("utf8"));
            callback();
          },
        }),
      )
    : pino({ level: "silent" });
  return new GitHubReporter({
    client: new GitHubClient({ auth: { kind: "token", token: "ghs_test_token" }, apiUrl: fake.url, logger, ...fastRetries }),
    logger,
    statusContext: "rollgate/preview",
  });
}

describe("GitHubReporter", () => {
  it("sets commit statuses and keeps one PR comment up to date", async () => {
    github = await startFakeGitHub();
    const h = createHarness({ reporter: reporterFor(github), config: { githubRepository: "acme/app" } });

    await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ pr: 12, image: "ghcr.io/acme/app:1", commitSha: sha("e") });
    await h.idle();
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image: "ghcr.io/acme/app:2", commitSha: sha("f") });
    await h.idle();

    expect(github.statuses.map((status) => [status.sha.slice(0, 1), status.body.state])).toEqual([
      ["e", "pending"],
      ["e", "success"],
      ["f", "pending"],
      ["f", "success"],
    ]);
    expect(github.statuses[1]?.body).toMatchObject({ context: "rollgate/preview", target_url: "http://127.0.0.1:9/pr-12" });
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain(commentMarker);
    expect(github.comments[0]?.body).toContain("✅ ready");
    expect(github.comments[0]?.body).toContain("ghcr.io/acme/app:2");
    expect(github.authorizations.every((header) => header === "token ghs_test_token")).toBe(true);
  });

  it("reports a failure with its reason", async () => {
    github = await startFakeGitHub();
    const h = createHarness({ reporter: reporterFor(github), config: { githubRepository: "acme/app" } });
    h.engine.failUp = () => new Error("image pull back-off");

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 3, image: "a/b:1", commitSha: sha("a") });
    await h.idle();

    expect(github.statuses.at(-1)?.body.state).toBe("failure");
    expect(github.comments[0]?.body).toContain("❌ failed");
    expect(github.comments[0]?.body).toContain("image pull back-off");
  });

  it("finds its comment from an earlier process instead of adding another", async () => {
    github = await startFakeGitHub();
    github.comments.push({ id: 55, body: `${commentMarker}\nold`, user: { login: "rollgate-bot" } });

    await reporterFor(github).report({ repository: "acme/app", pr: 9, state: "destroyed", operationId: "op" });

    expect(github.comments).toEqual([{ id: 55, body: expect.stringContaining("destroyed"), user: { login: "rollgate-bot" } }]);
  });

  it("never edits a comment someone else wrote, even one carrying the marker", async () => {
    github = await startFakeGitHub();
    const forged = `${commentMarker}\n### Rollgate preview environment\n| URL | http://phishing.example |`;
    github.comments.push({ id: 56, body: forged, user: { login: "mallory" } });

    await reporterFor(github).report({ repository: "acme/app", pr: 9, state: "ready", url: "http://pr-9.example", operationId: "op" });

    expect(github.comments.find((comment) => comment.id === 56)?.body).toBe(forged);
    expect(github.comments.filter((comment) => comment.user.login === "rollgate-bot")).toEqual([
      expect.objectContaining({ body: expect.stringContaining("http://pr-9.example") }),
    ]);
  });

  it("uses the repository of the webhook delivery", async () => {
    github = await startFakeGitHub();
    const h = createHarness({ reporter: reporterFor(github) });
    await h.rollgate.previews.upsert({ pr: 5, image: "a/b:1", commitSha: sha("b"), actor: "github:octocat", repository: "acme/app" });
    await h.idle();

    expect(github.statuses.map((status) => status.body.state)).toEqual(["pending", "success"]);
  });

  it("never fails the operation when GitHub fails", async () => {
    github = await startFakeGitHub();
    github.failStatuses = true;
    const reporterLogs: string[] = [];
    const h = createHarness({ reporter: reporterFor(github, reporterLogs), config: { githubRepository: "acme/app" } });

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 3, image: "a/b:1", commitSha: sha("a") });
    await h.idle();

    const preview = await h.http.get("/api/v1/previews/3").set("Authorization", bearer(tokens.reader));
    expect(preview.body.status).toBe("ready");
    expect(reporterLogs.join("")).toContain("setting the GitHub commit status failed");
    expect(reporterLogs.join("")).not.toContain("ghs_test_token");
  });

  it("reports nothing without a repository", async () => {
    github = await startFakeGitHub();

    await reporterFor(github).report({ pr: 9, state: "ready", operationId: "op" });

    expect(github.authorizations).toEqual([]);
  });

  it("as a GitHub App, edits only the comment its bot login wrote", async () => {
    const botComment = { id: 57, body: `${commentMarker}\nold`, user: { login: "rollgate-app[bot]" } };
    const scripted = (await startScriptedGitHub())
      .reply("POST /app/installations/42/access_tokens", installationTokenReply("ghs_installation"))
      .reply("GET /app", { status: 200, body: { id: 1234, slug: "rollgate-app" } })
      .reply("GET /repos/acme/app/issues/9/comments", {
        status: 200,
        body: [{ id: 56, body: `${commentMarker}\nforged`, user: { login: "mallory" } }, botComment],
      })
      .reply("PATCH /repos/acme/app/issues/comments/57", { status: 200, body: botComment });
    const reporter = new GitHubReporter({
      client: new GitHubClient({
        auth: { kind: "app", appId: "1234", privateKey: generateAppKey().privateKey, installationId: 42 },
        apiUrl: scripted.url,
        logger: pino({ level: "silent" }),
        ...fastRetries,
      }),
      logger: pino({ level: "silent" }),
      statusContext: "rollgate/preview",
    });

    try {
      await reporter.report({ repository: "acme/app", pr: 9, state: "destroyed", operationId: "op" });

      expect(scripted.requests.map((request) => request.route).filter((route) => !route.startsWith("POST /app/"))).toEqual([
        "GET /app",
        "GET /repos/acme/app/issues/9/comments",
        "PATCH /repos/acme/app/issues/comments/57",
      ]);
    } finally {
      await scripted.close();
    }
  });
});
