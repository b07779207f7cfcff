/**
 * The checks, the analysis loop and the release settings speak no query
 * language: they import no provider module, so a provider's queries live in
 * the provider alone.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const analysis = join(__dirname, "../../../../automation/release/analysis");
const neutralAnalysisModules = ["assess.ts", "builtInQueries.ts", "checks.ts", "condition.ts", "provider.ts", "run.ts"];
const neutralCallers = ["../controller.ts", "../schemas.ts"];

/** The analysis modules a file imports, as file names relative to the analysis folder. */
function analysisImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => resolve(dirname(file), specifier))
    .filter((target) => dirname(target) === analysis)
    .map((target) => `${target.slice(analysis.length + 1)}.ts`);
}

describe("provider-neutral analysis code", () => {
  it.each([...neutralAnalysisModules, ...neutralCallers])("%s imports no metric provider's module", (file) => {
    const providerModules = analysisImports(join(analysis, file)).filter((imported) => !neutralAnalysisModules.includes(imported));

    expect(providerModules).toEqual([]);
  });
});
