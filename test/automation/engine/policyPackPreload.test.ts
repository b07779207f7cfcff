import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicyPack } from "../../../automation/engine/compiledPolicyPack";

const repoRoot = join(__dirname, "..", "..", "..");

/** What Pulumi's pack runner (`cmd/run-policy-pack/run.js`) does before it loads a pack, with its own modules. */
const runnerTypeScriptSetup = `
const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const tsn = require(tsnodeRequire);
const ts = require(typescriptRequire);
tsn.register({ typeCheck: true, skipProject: true, compiler: typescriptRequire, compilerOptions: { target: "ES2020" } });
const compilerLoaded = Object.keys(require.cache).some((file) => /[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(file));
console.log(JSON.stringify({ version: ts.version, compilerLoaded }));
`;

function runnerSetup(nodeArgs: readonly string[]): { version: string; compilerLoaded: boolean } {
  const out = execFileSync(process.execPath, [...nodeArgs, "-e", runnerTypeScriptSetup], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: "" } });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { version: string; compilerLoaded: boolean };
}

describe("the compiled policy pack's preload", () => {
  let root: string;
  let preload: string;
  let packDirectory: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "rg-preload-"));
    const pack = join(root, "policies");
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, "PulumiPolicy.yaml"), "description: test\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    writeFileSync(join(pack, "package.json"), JSON.stringify({ name: "test-pack", version: "1.0.0", main: "index.ts" }));
    // A pack that loads a real package, so that loading it compiles modules the preload did not.
    writeFileSync(join(pack, "index.ts"), `export const zod: unknown = require(${JSON.stringify(require.resolve("zod"))});\n`);
    const { directory } = compilePolicyPack(pack, join(root, "cache"), root);
    packDirectory = directory;
    preload = join(directory, (/--require (\S+)/.exec(readFileSync(join(directory, "PulumiPolicy.yaml"), "utf8")) ?? [])[1] ?? "missing");
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lets the pack runner's TypeScript setup run without loading the compiler, answering its version", () => {
    const typescriptVersion = (JSON.parse(readFileSync(join(repoRoot, "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;

    expect(runnerSetup(["--require", preload])).toEqual({ version: typescriptVersion, compilerLoaded: false });
  });

  it("is what keeps it unloaded: without the preload the same setup loads the compiler", () => {
    expect(runnerSetup([]).compilerLoaded).toBe(true);
  });

  it("writes Node's compile cache once the pack is loaded, though the engine kills the pack", async () => {
    // The runner requires the pack's directory, its last argument, after its entry script ran (Node writes the cache
    // by itself once that script ends, and at exit); the engine then stops the process with SIGKILL.
    const cachedFiles = async (loadPack: boolean): Promise<number> => {
      const cacheDir = mkdtempSync(join(root, "compile-cache-"));
      const script = `setImmediate(() => { ${loadPack ? "require(process.argv.at(-1));" : ""} console.log("loaded"); setInterval(() => undefined, 1000); });`;
      const child = spawn(process.execPath, ["--require", preload, "-e", script, packDirectory], { env: { ...process.env, NODE_COMPILE_CACHE: cacheDir } });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      return readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
    };

    expect(await cachedFiles(true)).toBeGreaterThan(await cachedFiles(false));
  });
});
