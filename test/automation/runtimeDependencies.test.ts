/**
 * `npm ci --omit=dev` must give a working service: every package the runtime
 * code imports for its value (not only its types) is a dependency, and every
 * dependency is needed at runtime.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../..");
const runtimeFolders = ["automation", "components", "infra", "stacks", "policies"];
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Packages a file needs when it runs: value imports, re-exports and dynamic imports, not `import type`. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const onlyTypes = clause?.isTypeOnly || (!clause?.name && named !== undefined && named.length > 0 && named.every((element) => element.isTypeOnly));
      if (!onlyTypes) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(packageOf).filter((name): name is string => name !== undefined);
}

/** Loaders the start script runs the service with (`node --import tsx …`). */
function startLoaders(): string[] {
  return [...readFileSync(join(root, "scripts/start.sh"), "utf8").matchAll(/--import\s+(\S+)/g)].map((match) => match[1]!);
}

const needed = new Set([...runtimeFolders.flatMap(sourceFiles).flatMap(runtimeImports), ...startLoaders()]);

describe("runtime dependencies", () => {
  it("lists every package the service imports at runtime, and the loader it starts with, as a dependency", () => {
    expect([...needed].filter((name) => !(name in manifest.dependencies)).sort()).toEqual([]);
  });

  it("lists no dependency that only development or type checking needs", () => {
    expect(Object.keys(manifest.dependencies).filter((name) => !needed.has(name))).toEqual([]);
  });
});
