/**
 * The README's Configuration section names every `ROLLGATE_*` variable that
 * Rollgate reads — the service's, the CLI's and the data plane's (exported
 * from their schemas) and those the local scripts and tests read — and no
 * other.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_VARIABLES } from "../automation/cli/environment";
import { DATA_PLANE_VARIABLES } from "../automation/dataplane/settings";
import { SERVICE_VARIABLES } from "../automation/env";

const root = join(__dirname, "..");

function filesUnder(folder: string, extension: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Names `pattern`'s first group finds in `files`. */
function namesIn(files: readonly string[], pattern: RegExp): Set<string> {
  return new Set(files.flatMap((file) => [...readFileSync(join(root, file), "utf8").matchAll(pattern)].map((match) => match[1] ?? "")));
}

/**
 * What the local scripts and tests read from the environment: `${ROLLGATE_…:-default}` (or `-`, `:+`) in shell
 * and `process.env.ROLLGATE_…` in TypeScript. The CI pipeline's scripts have their own page (docs/pipeline.md).
 */
function scriptVariables(): Set<string> {
  const local = (file: string) => !file.startsWith("scripts/pipeline/");
  const shell = [...filesUnder("scripts", ".sh").filter(local), ...filesUnder("bench", ".sh")];
  const typescript = [
    ...filesUnder("scripts", ".ts").filter(local),
    ...["bench", "test/integration", "test/e2e", "test/support"].flatMap((folder) => filesUnder(folder, ".ts")),
  ];
  return new Set([
    ...namesIn(shell, /\$\{(ROLLGATE_[A-Z0-9_]+):?[-+]/g),
    ...namesIn(typescript, /process\.env\.(ROLLGATE_[A-Z0-9_]+)/g),
  ]);
}

function configurationSection(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("\n## Configuration\n");
  const end = readme.indexOf("\n## ", start + 1);
  expect(start).toBeGreaterThan(0);
  return readme.slice(start, end < 0 ? undefined : end);
}

const documented = new Set([...configurationSection().matchAll(/\b(ROLLGATE_[A-Z0-9_]+)\b/g)].map((match) => match[1] ?? ""));
const exported = new Set<string>([...SERVICE_VARIABLES, ...CLI_VARIABLES, ...DATA_PLANE_VARIABLES]);
const scripted = scriptVariables();

describe("README Configuration", () => {
  it("names every variable the service, the CLI and the data plane read", () => {
    expect([...exported].filter((name) => !documented.has(name))).toEqual([]);
  });

  it("names every variable the local scripts and tests read", () => {
    expect([...scripted].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it("names no variable that nothing reads", () => {
    expect([...documented].filter((name) => !exported.has(name) && !scripted.has(name)).sort()).toEqual([]);
  });
});
