import { verify } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubClient } from "../../../../automation/services/github/client";
import { capturingLogger, fastRetries, generateAppKey, installationTokenReply, startFakeGitHub, type FakeGitHub } from "./fakeGitHub";

const { privateKey, publicKey } = generateAppKey();
const keyBody = privateKey.split("\n")[1] ?? "";
const installationToken = "ghs_installationToken456";
const sha = "b".repeat(40);
const tokenRoute = "POST /app/installations/42/access_tokens";
const tokenGranted = installationTokenReply(installationToken);

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function appClient(fake: FakeGitHub, logs: string[] = []): GitHubClient {
  return new GitHubClient({
    auth: { kind: "app", appId: "1234", privateKey, installationId: 42 },
    apiUrl: fake.url,
    logger: capturingLogger(logs),
    ...fastRetries,
  });
}

function jwtClaims(authorization: string): Record<string, unknown> {
  const jwt = authorization.replace(/^bearer /i, "");
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  expect(verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url"))).toBe(true);
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("GitHubClient with GitHub App authentication", () => {
  it("exchanges a JWT signed with the App's key for an installation token, then uses that token", async () => {
    github = (await startFakeGitHub()).reply(tokenRoute, tokenGranted).reply(`POST /repos/acme/app/statuses/${sha}`, { status: 201, body: { id: 1 } });
    const client = appClient(github);

    await client.createCommitStatus("acme/app", sha, { state: "pending", context: "rollgate/preview", description: "deploying" });
    await client.createCommitStatus("acme/app", sha, { state: "success", context: "rollgate/preview", description: "ready" });

    const [exchange, ...calls] = github.requests;
    expect(exchange?.route).toBe(tokenRoute);
    expect(jwtClaims(exchange?.authorization ?? "")).toMatchObject({ iss: "1234" });
    expect(calls.map((call) => call.authorization)).toEqual([`token ${installationToken}`, `token ${installationToken}`]);
  });

  it("acts as the App's bot login (GET /app, authenticated with the JWT)", async () => {
    github = (await startFakeGitHub()).reply("GET /app", { status: 200, body: { id: 1234, slug: "rollgate-app", name: "Rollgate" } });

    expect(await appClient(github).authenticatedLogin()).toBe("rollgate-app[bot]");
    expect(jwtClaims(github.requestsTo("GET /app")[0]?.authorization ?? "")).toMatchObject({ iss: "1234" });
  });

  it("retries a failed token exchange and keeps the key and tokens out of errors and logs", async () => {
    github = (await startFakeGitHub()).reply(tokenRoute, { status: 500, body: { message: "Server Error" } });
    const logs: string[] = [];

    const failure = await appClient(github, logs)
      .createCommitStatus("acme/app", sha, { state: "pending", context: "rollgate/preview", description: "deploying" })
      .catch((err: unknown) => err);

    expect(failure).toMatchObject({ status: 500, message: expect.stringContaining("GitHub POST /app/installations/42/access_tokens answered 500") });
    expect(github.requestsTo(tokenRoute).length).toBeGreaterThan(1);
    const jwt = github.requests[0]?.authorization.replace(/^bearer /i, "") ?? "";
    const surfaced = `${String(failure)} ${JSON.stringify(failure)} ${logs.join("")}`;
    for (const secret of [keyBody, jwt, installationToken]) expect(surfaced).not.toContain(secret);
  });
});
