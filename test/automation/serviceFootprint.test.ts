import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(__dirname, "../..");

/** The modules (by package) a fresh node process holds after loading the service and its production adapters. */
function packagesLoadedByTheService(): string[] {
  const script = [
    'require("./automation/index.ts");',
    'require("./automation/productionAdapters.ts");',
    "const packages = new Set(Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean));",
    "process.stdout.write(JSON.stringify([...packages]));",
  ].join("\n");
  return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: repoRoot, encoding: "utf8" })) as string[];
}

describe("the service's memory footprint", () => {
  it("loads neither the TypeScript compiler nor the full Kubernetes client at start", () => {
    const loaded = packagesLoadedByTheService();

    expect(loaded).toContain("@pulumi/pulumi");
    expect(loaded).not.toContain("typescript");
    expect(loaded).not.toContain("@kubernetes/client-node");
    // A child process loading the whole service: 2 s alone, over 5 s while the rest of the suite shares 2 cores.
  }, 60_000);
});
