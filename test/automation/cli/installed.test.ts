/**
 * `rollgate` as a user installs it: `npm install -g` of this checkout into a
 * temporary prefix (a local folder installs as a link, offline), then the
 * `bin` run from another directory, the way a shell runs it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../../package.json";

const root = resolve(__dirname, "../../..");
const run = promisify(execFile);

/** The caller's environment without npm's own settings (an `npx vitest` sets some) or Rollgate's. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|ROLLGATE_)/i.test(key)));
}

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("the installed rollgate command", { timeout: 20_000 }, () => {
  let prefix: string;
  let rollgate: (...args: string[]) => Promise<Result>;

  beforeAll(async () => {
    prefix = await mkdtemp(join(tmpdir(), "rollgate-install-"));
    await run("npm", ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", root], { env: cleanEnv() });
    rollgate = async (...args) => {
      try {
        const { stdout, stderr } = await run(join(prefix, "bin", "rollgate"), args, { cwd: prefix, env: cleanEnv() });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const failed = err as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
      }
    };
  }, 60_000);
  afterAll(async () => {
    await rm(prefix, { recursive: true, force: true });
  });

  it("prints the package version", async () => {
    const result = await rollgate("--version");

    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("prints its help with the exit codes", async () => {
    const result = await rollgate("--help");

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: rollgate <command>/);
    expect(result.stdout).toMatch(/^ {2}release +canary releases/m);
    expect(result.stdout).toMatch(/^exit codes:\n {2}0 {2}success/m);
  });

  it("exits 2 for an unknown command", async () => {
    const result = await rollgate("deploy");

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown command "deploy"/);
  });
});
