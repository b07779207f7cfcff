/**
 * `npm run build` (scripts/build.ts) without running the compiler: dist/
 * gets every file the service reads beside its code, and the policy pack's
 * manifests make dist/policies a JavaScript pack the compiled service uses.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeJavaScriptManifests } from "../../automation/engine/compiledPolicyPack";
import { previewTemplatePath } from "../../automation/previewTemplate";
import { policyConfigFor, servicePolicyPack } from "../../automation/productionAdapters";
import { RISK_CONFIG_DIR } from "../../automation/release/risk/riskConfigFile";
import { dashboardDirectory } from "../../automation/routes/dashboard";
import { MIGRATIONS_DIR } from "../../automation/store/migrate";
import { distDir, policyPackEntry, repoRoot, runtimeFiles } from "../../scripts/build";

describe("npm run build", () => {
  it("copies every folder the service reads beside its code", () => {
    const read = [MIGRATIONS_DIR, dashboardDirectory, RISK_CONFIG_DIR, dirname(previewTemplatePath), dirname(policyConfigFor("staging") ?? "")];

    expect(read.map((directory) => relative(repoRoot, directory)).sort()).toEqual([...runtimeFiles].sort());
    for (const file of runtimeFiles) expect(existsSync(join(repoRoot, file)), file).toBe(true);
  });

  describe("the policy pack", () => {
    let out: string;
    beforeEach(() => {
      out = mkdtempSync(join(tmpdir(), "rg-dist-pack-"));
    });
    afterEach(() => rmSync(out, { recursive: true, force: true }));

    it("gets a manifest for JavaScript, started with the preload the build compiles", () => {
      writeJavaScriptManifests(join(repoRoot, "policies"), out, policyPackEntry);

      expect(readFileSync(join(out, "PulumiPolicy.yaml"), "utf8")).toMatch(/typescript: false\n\s+nodeargs: --require \.\.\/automation\/engine\/policyPackPreload\.js\n/);
      expect(JSON.parse(readFileSync(join(out, "package.json"), "utf8"))).toMatchObject({ name: "rollgate-policies", main: "index.js" });
      const preloadSource = relative(distDir, join(distDir, "policies", policyPackEntry.preload)).replace(/\.js$/, ".ts");
      expect(existsSync(join(repoRoot, preloadSource)), preloadSource).toBe(true);
      expect(existsSync(join(repoRoot, "policies", policyPackEntry.main.replace(/\.js$/, ".ts")))).toBe(true);
    });

    it("is the one the compiled service hands the engine, as it is", () => {
      const compiledModule = join(distDir, "automation", "productionAdapters.js");

      expect(servicePolicyPack(compiledModule)).toEqual({ directory: join(distDir, "policies"), compiled: false });
    });
  });
});
