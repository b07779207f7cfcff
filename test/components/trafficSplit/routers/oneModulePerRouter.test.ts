/**
 * "A router is one module and one registry line": nothing outside a router's
 * own folder reaches into it except the registry (and the package's public
 * re-exports), and nothing outside the routers folder names a router kind
 * to decide what to do. A sixth router then touches only its folder and
 * `routers/registry.ts`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { routerKinds } from "../../../../components/trafficSplit/routers/registry";

const root = resolve(__dirname, "../../../..");
const routersDir = join(root, "components/trafficSplit/routers");
const productionDirs = ["automation", "components", "infra", "policies", "stacks"];

/** Files allowed to import a router module directly, each with the reason. */
const allowedImporters: Record<string, string> = {
  "components/trafficSplit/routers/registry.ts": "the registry is the one list of routers",
  "components/index.ts": "the package's public API re-exports each router's settings type",
  "automation/dataplane/dataPlane.ts": "the local data plane serves the nginx ingress class it installs",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function routerFolderOf(path: string): string | undefined {
  const inside = relative(routersDir, path);
  if (inside.startsWith("..")) return undefined;
  const [folder, ...rest] = inside.split(sep);
  return rest.length > 0 ? folder : undefined;
}

const files = productionDirs.flatMap((dir) => sourceFiles(join(root, dir)));

describe("one module per router", () => {
  it("every registered kind has its own folder under routers/", () => {
    for (const kind of routerKinds) expect(statSync(join(routersDir, kind)).isDirectory(), kind).toBe(true);
  });

  it("only the registry reaches into a router's folder", () => {
    const reaching = files.flatMap((file) => {
      const own = routerFolderOf(file);
      const name = relative(root, file);
      if (name in allowedImporters) return [];
      return ts
        .preProcessFile(readFileSync(file, "utf8"), true, true)
        .importedFiles.map((imported) => imported.fileName)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => routerFolderOf(resolve(dirname(file), specifier)))
        .filter((folder): folder is string => folder !== undefined && folder !== own)
        .map((folder) => `${name} imports routers/${folder}`);
    });

    expect(reaching).toEqual([]);
  });

  it("nothing outside routers/ compares or switches on a router kind", () => {
    const kinds = routerKinds.map((kind) => kind.replace("-", "\\-")).join("|");
    const branching = new RegExp(`(===|!==|case)\\s*"(${kinds})"|"(${kinds})"\\s*(===|!==)`);
    const offenders = files
      .filter((file) => !file.startsWith(routersDir + sep))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .map((line, index) => ({ line, at: `${relative(root, file)}:${index + 1}` }))
          .filter(({ line }) => branching.test(line))
          .map(({ at }) => at),
      );

    expect(offenders).toEqual([]);
  });
});
