import { afterEach, describe, expect, it } from "vitest";
import { GitHubApiError, GitHubClient } from "../../../../automation/services/github/client";
import { capturingLogger, fastRetries, startFakeGitHub, type FakeGitHub } from "./fakeGitHub";

const token = "ghp_secretTokenValue123";
const sha = "a".repeat(40);
const statusRoute = `POST /repos/acme/app/statuses/${sha}`;
const created = { status: 201, body: { id: 1 } };
const secondaryLimit = {
  status: 403,
  headers: { "retry-after": "1" },
  body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
};

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function clientFor(fake: FakeGitHub, logs: string[] = []): GitHubClient {
  const logger = capturingLogger(logs);
  return new GitHubClient({ auth: { kind: "token", token }, apiUrl: fake.url, logger, ...fastRetries });
}

const setStatus = (client: GitHubClient) => client.createCommitStatus("acme/app", sha, { state: "success", context: "rollgate/preview", description: "ok" });

describe("GitHubClient", () => {
  it("retries a 502 and succeeds", async () => {
    github = (await startFakeGitHub()).reply(statusRoute, { status: 502, body: { message: "Bad Gateway" } }, created);

    await setStatus(clientFor(github));

    expect(github.requestsTo(statusRoute)).toHaveLength(2);
    expect(github.requests[1]?.body).toMatchObject({ state: "success", context: "rollgate/preview" });
  });

  it("waits out a secondary rate limit (403 with retry-after) and logs it", async () => {
    github = (await startFakeGitHub()).reply(statusRoute, secondaryLimit, created);
    const logs: string[] = [];

    await setStatus(clientFor(github, logs));

    expect(github.requestsTo(statusRoute)).toHaveLength(2);
    const warning = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.limit === "secondary");
    expect(warning).toMatchObject({ retryAfterSeconds: 1, willRetry: true, method: "POST", path: "/repos/{owner}/{repo}/statuses/{sha}" });
  });

  it("waits out a primary rate limit until its reset", async () => {
    const reset = String(Math.floor(Date.now() / 1000));
    github = (await startFakeGitHub()).reply(
      statusRoute,
      { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, body: { message: "API rate limit exceeded" } },
      created,
    );

    await setStatus(clientFor(github));

    expect(github.requestsTo(statusRoute)).toHaveLength(2);
  });

  it("retries a 429", async () => {
    github = (await startFakeGitHub()).reply(statusRoute, { status: 429, body: { message: "Too Many Requests" } }, created);

    await setStatus(clientFor(github));

    expect(github.requestsTo(statusRoute)).toHaveLength(2);
  });

  it.each([
    ["a 5xx", { status: 502, body: { message: "Bad Gateway" } }, 502],
    ["a 429", { status: 429, body: { message: "Too Many Requests" } }, 429],
    ["a secondary rate limit", secondaryLimit, 403],
  ])("gives up on %s after the retry bound with an error naming the call and the status", async (_name, reply, status) => {
    github = (await startFakeGitHub()).reply(statusRoute, reply);

    const failure = await setStatus(clientFor(github)).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(GitHubApiError);
    expect(failure).toMatchObject({ status, message: expect.stringContaining(`GitHub POST /repos/acme/app/statuses/${sha} answered ${status}`) });
    expect(github.requestsTo(statusRoute)).toHaveLength(fastRetries.retries + 1);
  });

  it("does not hold a call for a rate limit that resets later than it will wait", async () => {
    const inAnHour = String(Math.floor(Date.now() / 1000) + 3600);
    github = (await startFakeGitHub()).reply(statusRoute, {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": inAnHour },
      body: { message: "API rate limit exceeded" },
    });

    await expect(setStatus(clientFor(github))).rejects.toThrow(/answered 403: API rate limit exceeded/);
    expect(github.requestsTo(statusRoute)).toHaveLength(1);
  });

  it("does not retry a 404", async () => {
    github = await startFakeGitHub();

    await expect(setStatus(clientFor(github))).rejects.toMatchObject({ status: 404 });
    expect(github.requestsTo(statusRoute)).toHaveLength(1);
  });

  it("sends the token and keeps it out of errors and logs", async () => {
    github = (await startFakeGitHub()).reply(statusRoute, { status: 502, body: { message: "Bad Gateway" } });
    const logs: string[] = [];

    const failure = await setStatus(clientFor(github, logs)).catch((err: unknown) => err);

    expect(github.requests[0]?.authorization).toBe(`token ${token}`);
    expect(`${String(failure)} ${JSON.stringify(failure)} ${logs.join("")}`).not.toContain(token);
    expect(failure).not.toHaveProperty("request");
    expect(failure).not.toHaveProperty("response");
  });

  it("reads comments page by page and the token's login", async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ id: from + index, body: `c${from + index}`, user: { login: "octocat" } }));
    github = (await startFakeGitHub())
      .reply("GET /repos/acme/app/issues/7/comments", { status: 200, body: page(1, 100) }, { status: 200, body: page(101, 2) })
      .reply("GET /user", { status: 200, body: { login: "rollgate-bot" } });
    const client = clientFor(github);

    const comments = await client.listIssueComments("acme/app", 7);

    expect(comments).toHaveLength(102);
    expect(comments[101]).toEqual({ id: 102, body: "c102", author: "octocat" });
    expect(await client.authenticatedLogin()).toBe("rollgate-bot");
  });
});
