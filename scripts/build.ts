/**
 * `npm run build`: the service compiled to dist/ (tsconfig.build.json), so
 * `node dist/automation/index.js` runs it without tsx, as the container image
 * does. dist/ keeps the repository's layout, and the files the code reads
 * beside itself at run time are copied to the same relative places; the
 * policy pack gets the manifests of a JavaScript pack.
 */
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeJavaScriptManifests } from "../automation/engine/compiledPolicyPack";

export const repoRoot = resolve(__dirname, "..");
export const distDir = join(repoRoot, "dist");

/** Files and folders the compiled service reads relative to its modules (each path from the repository root). */
export const runtimeFiles = [
  "automation/dashboard",
  "automation/release/risk/config",
  "automation/store/migrations",
  "policies/config",
  "stacks",
] as const;

/** The compiled pack's entry and preload (automation/support/deferredModules.ts), relative to dist/policies. */
export const policyPackEntry = { main: "index.js", preload: "../automation/engine/policyPackPreload.js" } as const;

function build(): void {
  rmSync(distDir, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(repoRoot, "tsconfig.build.json")], { stdio: "inherit" });
  for (const file of runtimeFiles) cpSync(join(repoRoot, file), join(distDir, file), { recursive: true });
  writeJavaScriptManifests(join(repoRoot, "policies"), join(distDir, "policies"), policyPackEntry);
}

if (require.main === module) build();
