import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compilePolicyPack, relativeImports } from "../../../automation/engine/compiledPolicyPack";

describe("compilePolicyPack", () => {
  let root: string;
  let pack: string;
  let cache: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "rg-pack-"));
    pack = join(root, "policies");
    cache = join(root, "cache");
    mkdirSync(join(root, "shared"), { recursive: true });
    mkdirSync(join(pack, "checks"), { recursive: true });
    writeFileSync(join(pack, "PulumiPolicy.yaml"), "description: test\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    writeFileSync(join(pack, "package.json"), JSON.stringify({ name: "test-pack", version: "1.2.3", main: "index.ts" }));
    writeFileSync(join(pack, "index.ts"), 'import { rule } from "./checks";\nimport { label } from "../shared/labels";\nexport const all: string[] = [rule, label];\n');
    writeFileSync(join(pack, "checks", "index.ts"), 'export const rule: string = "weights";\n');
    writeFileSync(join(root, "shared", "labels.ts"), 'import type { Stats } from "node:fs";\nexport const label: string = "app";\nexport type S = Stats;\n');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("transpiles the pack and the modules it imports into a JavaScript pack keeping the layout", async () => {
    const { directory, compiled } = compilePolicyPack(pack, cache, root);

    expect(compiled).toBe(true);
    const main = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as Record<string, string>;
    expect(main).toMatchObject({ name: "test-pack", version: "1.2.3", main: "policies/index.js" });
    expect(readFileSync(join(directory, "PulumiPolicy.yaml"), "utf8")).toMatch(/ {4}typescript: false\n {4}nodeargs: --require \.\/preload\/automation\/engine\/policyPackPreload\.js/);
    expect(existsSync(join(directory, "preload", "automation", "engine", "policyPackPreload.js"))).toBe(true);
    expect(existsSync(join(directory, "preload", "automation", "support", "deferredModules.js"))).toBe(true);
    expect(existsSync(join(directory, "policies", "checks", "index.js"))).toBe(true);
    expect(existsSync(join(directory, "shared", "labels.js"))).toBe(true);
    const loaded = (await import(join(directory, "policies", "index.js"))) as { all: string[] };
    expect(loaded.all).toEqual(["weights", "app"]);
  });

  it("reuses the compiled pack while the sources are unchanged", () => {
    const first = compilePolicyPack(pack, cache, root);
    const second = compilePolicyPack(pack, cache, root);

    expect(second).toEqual({ directory: first.directory, compiled: false });
  });

  it("compiles into a new directory when a source changes", () => {
    const first = compilePolicyPack(pack, cache, root);
    writeFileSync(join(pack, "checks", "index.ts"), 'export const rule: string = "replicas";\n');

    const second = compilePolicyPack(pack, cache, root);

    expect(second.compiled).toBe(true);
    expect(second.directory).not.toBe(first.directory);
  });

  it("refuses a pack that imports a module outside the root", () => {
    expect(() => compilePolicyPack(pack, cache, pack)).toThrow(/imports \.\.\/shared\/labels, outside/);
  });

  it("names a relative import it cannot resolve", () => {
    writeFileSync(join(pack, "checks", "index.ts"), 'export { rule } from "./missing";\n');

    expect(() => compilePolicyPack(pack, cache, root)).toThrow(/cannot resolve policy pack module .*missing/);
  });

  it("finds relative imports in every form, ignoring packages and commented-out code", () => {
    const source = [
      'import * as policy from "@pulumi/policy";',
      'import { a } from "./a";',
      "import type { B } from '../b';",
      "import {\n  c,\n  d,\n} from \"./cd\";",
      'export * from "./e";',
      'export { f } from "./f";',
      'import "./side-effect";',
      'const g = import("./g");',
      'const h = require("./h");',
      'import i from "..";',
      '// import { old } from "./old";',
      '/* export * from "./gone"; */',
      'const url = "https://example.com"; import { j } from "./j";',
    ].join("\n");

    expect(relativeImports(source)).toEqual(["./a", "../b", "./cd", "./e", "./f", "./side-effect", "./g", "./h", "..", "./j"]);
  });
});
