import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseFlags, UsageError } from "../../../automation/cli/args";
import { runCli } from "../../../automation/cli/main";
import { createHarness, sha, tokens, type Harness } from "../support/harness";
import { cli as runCapturing } from "./support";

const cli = (argv: string[], env: Record<string, string | undefined> = {}) => runCapturing(argv, env, 5);

describe("CLI argument parsing", () => {
  it.each([
    [["preview", "up", "--image", "ghcr.io/a/b:1"], "--pr is required"],
    [["preview", "up", "--pr", "abc", "--image", "ghcr.io/a/b:1"], "--pr: must be a positive integer"],
    [["preview", "up", "--pr", "0", "--image", "ghcr.io/a/b:1"], "--pr:"],
    [["preview", "up", "--pr", "3", "--image", "Not An Image"], "--image: must have a repository path of lowercase letters"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--sha", "abc"], "--sha: must be a full 40-character"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--branch", "a..b"], "--branch:"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--ttl", "9000"], "--ttl: must be from 1h to 30d, got 375d"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--ttl", "90m"], "--ttl: must be a whole number of hours"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--ttl", "soon"], "--ttl: must be a duration: hours (72) or with units"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--colour", "red"], "unknown flag --colour"],
    [["preview", "up", "--pr", "3", "--pr", "4", "--image", "a/b:1"], "--pr is given more than once"],
    [["preview", "up", "--pr"], "--pr needs a value"],
    [["preview", "up", "--pr", "3", "--image", "a/b:1", "--wait=yes"], "--wait takes no value"],
    [["preview", "get", "7"], 'unexpected argument "7"'],
    [["preview", "get", "--pr", "7", "--server", "ftp://host"], "--server:"],
    [["preview", "launch"], 'unknown command "preview launch"'],
    [["deploy"], 'unknown command "deploy"'],
  ])("exits 2 for %j, naming the problem", async (argv, message) => {
    const run = await cli(argv);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(run.stderr).toContain("usage: rollgate");
    expect(run.stdout).toBe("");
  });

  it("exits 2 naming a bad ROLLGATE_URL", async () => {
    const run = await cli(["preview", "list"], { ROLLGATE_URL: "ftp://host" });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: invalid configuration: ROLLGATE_URL must be an http(s) URL");
  });

  it("exits 2 with usage when no command is given", async () => {
    const run = await cli([]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("preview");
  });

  it.each([[["--help"]], [["preview", "--help"]], [["preview", "up", "--help"]]])("prints help for %j and exits 0", async (argv) => {
    const run = await cli(argv);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("usage: rollgate");
  });

  it("lists every exit code in its help", async () => {
    const run = await cli(["--help"]);

    expect(run.stdout).toMatch(/^exit codes:$/m);
    for (const code of [0, 1, 2, 3, 4, 5]) expect(run.stdout).toMatch(new RegExp(`^  ${code}  \\S`, "m"));
    expect(run.stdout).toMatch(/^ {2}3 {2}a waited or watched release ended rolled back or aborted$/m);
  });

  it("prints the package version with --version", async () => {
    const run = await cli(["--version"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it("describes each flag in the command help", async () => {
    const run = await cli(["preview", "up", "--help"]);

    expect(run.stdout).toMatch(/--pr <value>\s+pull request number \(required\)/);
    expect(run.stdout).toMatch(/--wait\s+wait for the operation/);
    expect(run.stdout).toContain("--server <value>");
  });

  it("reads --flag=value and maps kebab-case flags to fields", () => {
    const schema = z.object({ commitSha: z.string(), dryRun: z.boolean().optional() });

    expect(parseFlags(schema, ["--commit-sha=abc", "--dry-run"])).toEqual({ commitSha: "abc", dryRun: true });
    expect(() => parseFlags(schema, [])).toThrow(UsageError);
  });
});

describe("CLI against a server", () => {
  let h: Harness;
  let server: Server;
  let url: string;
  beforeEach(async () => {
    h = createHarness();
    server = await new Promise<Server>((resolve) => {
      const listening = h.rollgate.app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const as = (token: string = tokens.writer) => ({ ROLLGATE_URL: url, ROLLGATE_TOKEN: token });

  it("creates a preview and waits for it, printing progress and the URL", async () => {
    h.engine.holding = true;
    let stdout = "";
    let stderr = "";

    const pending = runCli(
      ["preview", "up", "--pr", "12", "--image", "ghcr.io/acme/app:1", "--branch", "main", "--sha", sha("a"), "--ttl", "24", "--wait"],
      {
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        env: as(),
        pollIntervalMs: 5,
      },
    );
    await h.engine.waitForHeld(1);
    while (!stderr.includes(": running")) await new Promise((resolve) => setTimeout(resolve, 5));
    h.engine.release();
    const code = await pending;
    const run = { code, stdout, stderr };

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("preview PR 12 ready: http://127.0.0.1:9/pr-12\n");
    expect(run.stderr).toMatch(/^operation [0-9a-f-]+ \(up preview-pr-12\): running\n {2}pulumi up preview-pr-12/);
    expect(run.stderr).toMatch(/deployment pr-12-ns\/sample-app-preview is ready\noperation [0-9a-f-]+ \(up preview-pr-12\): succeeded\n$/);
    expect(run.stderr.match(/: running/g)).toHaveLength(1);
    expect(run.stderr).toContain("  waiting for deployment pr-12-ns/sample-app-preview");
    const config = h.engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:ttlHours"]?.value).toBe("24");
    expect(config?.["rollgate:commitSha"]?.value).toBe(sha("a"));
  });

  it("returns right away without --wait", async () => {
    const run = await cli(["preview", "up", "--pr", "12", "--image", "ghcr.io/acme/app:1"], as());
    await h.idle();

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^preview PR 12: creating \(operation [0-9a-f-]+\)\n$/);
  });

  it("exits 1 with the reason when the operation fails", async () => {
    h.engine.failUp = () => new Error("quota exceeded");

    const run = await cli(["preview", "up", "--pr", "5", "--image", "ghcr.io/acme/app:1", "--wait"], as());

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("preview PR 5 failed: quota exceeded\n");
  });

  it("prints JSON with --json", async () => {
    const run = await cli(["preview", "up", "--pr", "5", "--image", "ghcr.io/acme/app:1", "--wait", "--json"], as());

    const output = JSON.parse(run.stdout) as { operation: { status: string }; preview: { status: string; pr: number } };
    expect(output.operation.status).toBe("succeeded");
    expect(output.preview).toMatchObject({ pr: 5, status: "ready" });
  });

  it("lists and gets previews", async () => {
    h.engine.seedPreview(4);
    h.engine.seedPreview(2);

    const list = await cli(["preview", "list"], as(tokens.reader));
    const listJson = await cli(["preview", "list", "--json"], as(tokens.reader));
    const get = await cli(["preview", "get", "--pr", "4"], as(tokens.reader));

    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^PR\s+STATUS\s+URL\s+IMAGE\s+EXPIRES$/);
    expect(list.stdout).toMatch(/^2\s+ready\s+http:\/\/127\.0\.0\.1:9\/pr-2/m);
    expect((JSON.parse(listJson.stdout) as { pr: number }[]).map((preview) => preview.pr)).toEqual([2, 4]);
    expect(get.stdout).toMatch(/^status:\s+ready$/m);
    expect(get.stdout).toMatch(/^image:\s+ghcr\.io\/acme\/app:pr-4$/m);
  });

  it("destroys a preview and waits", async () => {
    h.engine.seedPreview(4);

    const run = await cli(["preview", "down", "--pr", "4", "--wait"], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("preview PR 4 destroyed\n");
    expect(h.engine.stacks.has("preview-pr-4")).toBe(false);
  });

  it("exits 1 when the preview does not exist", async () => {
    const run = await cli(["preview", "get", "--pr", "404"], as(tokens.reader));

    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: no preview environment for PR 404\n");
  });

  it("exits 1 and hints at the token on 401", async () => {
    const run = await cli(["preview", "list"], as("rg_wrong"));

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("pass --token or set ROLLGATE_TOKEN");
  });

  it("prefers --server and --token over the environment", async () => {
    const run = await cli(["preview", "list", "--server", url, "--token", tokens.reader], { ROLLGATE_URL: "http://127.0.0.1:1", ROLLGATE_TOKEN: "x" });

    expect(run.code).toBe(0);
  });

  it("exits 5 when the server cannot be reached", async () => {
    const run = await cli(["preview", "list"], { ROLLGATE_URL: "http://127.0.0.1:1", ROLLGATE_TOKEN: "x" });

    expect(run.code).toBe(5);
    expect(run.stderr).toContain("cannot reach the Rollgate server at http://127.0.0.1:1");
  });

  it("never sends malformed input to the server", async () => {
    const run = await cli(["preview", "up", "--pr", "1", "--image", "ghcr.io/acme/app:1;reboot"], as());

    expect(run.code).toBe(2);
    expect(h.engine.calls).toEqual([]);
  });
});
