/**
 * A TypeScript policy pack compiled once to JavaScript for the engine.
 *
 * Pulumi's Node.js runtime loads a TypeScript pack through ts-node with type
 * checking on every preview and update, which costs seconds each time; the
 * pack's types are already checked by `tsc` in CI. So the service transpiles
 * the pack (and the modules it imports from the repository) into a directory
 * named after the sources' hash, and hands the engine that directory. The
 * same sources always give the same directory, so restarts reuse it and an
 * edited pack gets a fresh one.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import type * as TypeScript from "typescript";

export interface CompiledPolicyPack {
  /** The directory to pass as a policy pack (PulumiPolicy.yaml, package.json, JavaScript). */
  readonly directory: string;
  /** True when this call compiled it; false when an earlier compile of the same sources was reused. */
  readonly compiled: boolean;
}

/**
 * Compiles the pack at `packDir` (entry `index.ts`) into `<cacheDir>/<hash>`.
 * `rootDir` bounds the relative imports followed (normally the repository),
 * and the output keeps its layout so `node_modules` resolve from the root.
 */
export function compilePolicyPack(packDir: string, cacheDir: string, rootDir: string): CompiledPolicyPack {
  const root = resolve(rootDir);
  const entry = join(resolve(packDir), "index.ts");
  const sources = collectSources(entry, root);
  const preloadSources = collectSources(preloadFile, preloadRoot);
  const policyYaml = readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8");
  const packageJson = readFileSync(join(packDir, "package.json"), "utf8");
  const hash = createHash("sha256");
  hash.update(typescriptVersion()).update(policyYaml).update(packageJson);
  for (const [file, text] of sources) hash.update(relative(root, file)).update("\0").update(text).update("\0");
  for (const [file, text] of preloadSources) hash.update(PRELOAD_DIR).update(relative(preloadRoot, file)).update("\0").update(text).update("\0");
  const directory = join(resolve(cacheDir), hash.digest("hex").slice(0, 16));
  if (existsSync(join(directory, "package.json"))) return { directory, compiled: false };

  // Written beside the final directory and renamed into place, so a crash never leaves half a pack.
  const staging = `${directory}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  writeJavaScript(sources, root, staging);
  writeJavaScript(preloadSources, preloadRoot, join(staging, PRELOAD_DIR));
  writeJavaScriptManifests(packDir, staging, { main: javascriptPath(root, entry), preload: `./${PRELOAD_DIR}/${javascriptPath(preloadRoot, preloadFile)}` });
  try {
    renameSync(staging, directory);
  } catch (error) {
    // Another process compiled the same sources first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(directory, "package.json"))) throw error;
    return { directory, compiled: false };
  }
  return { directory, compiled: true };
}

/** Where a JavaScript pack starts: its entry module and the preload, both relative to the pack's directory. */
export interface JavaScriptEntry {
  readonly main: string;
  /** Passed to `node --require`, so `./` or `../` (a bare name would be a package). */
  readonly preload: string;
}

/**
 * Writes into `directory` the manifests of the pack at `packDir` for its
 * JavaScript: PulumiPolicy.yaml without TypeScript, and package.json with
 * the JavaScript entry. The pack's name and version (reported by the CLI) stay.
 */
export function writeJavaScriptManifests(packDir: string, directory: string, entry: JavaScriptEntry): void {
  if (!/^\.\.?\//.test(entry.preload)) throw new Error(`policy pack preload ${entry.preload} must start with ./ or ../`);
  const policyYaml = readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8");
  writeFileSync(join(directory, "PulumiPolicy.yaml"), javascriptRuntime(policyYaml, entry.preload));
  const manifest = { ...(JSON.parse(readFileSync(join(packDir, "package.json"), "utf8")) as Record<string, unknown>), main: entry.main };
  writeFileSync(join(directory, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Runs first in the pack's process (see policyPackPreload.ts); compiled with what it imports from this repository. */
const preloadFile = join(__dirname, "policyPackPreload.ts");
const preloadRoot = join(__dirname, "..", "..");
/** The compiled pack's folder for the preload's modules, which keep the repository's layout inside it. */
const PRELOAD_DIR = "preload";

/** Transpiles each of `sources` (below `sourceRoot`) to the same place below `targetDir`. */
function writeJavaScript(sources: ReadonlyMap<string, string>, sourceRoot: string, targetDir: string): void {
  for (const [file, text] of sources) {
    const target = join(targetDir, javascriptPath(sourceRoot, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, transpile(text, file));
  }
}

/** Where `file`'s JavaScript goes in a compiled pack: its place below `root`, as `.js`. */
function javascriptPath(root: string, file: string): string {
  return relative(root, file).replace(/\.ts$/, ".js");
}

// The compiler (~50 MB resident) is loaded only when a pack really is compiled, not for a reused one.
const requireHere = createRequire(__filename);

function typescriptVersion(): string {
  return (JSON.parse(readFileSync(requireHere.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
}

function transpile(text: string, fileName: string): string {
  const ts = requireHere("typescript") as typeof TypeScript;
  return ts.transpileModule(text, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  }).outputText;
}

/** The entry and every module it reaches through relative imports, inside `root`. */
function collectSources(entry: string, root: string): Map<string, string> {
  const sources = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (sources.has(file)) continue;
    const text = readFileSync(file, "utf8");
    sources.set(file, text);
    for (const specifier of relativeImports(text)) {
      const resolved = resolveModule(resolve(dirname(file), specifier));
      if (!resolved.startsWith(root)) throw new Error(`policy pack module ${file} imports ${specifier}, outside ${root}`);
      pending.push(resolved);
    }
  }
  return sources;
}

const COMMENTS = /\/\*[\s\S]*?\*\/|(?<![:"'\\])\/\/.*$/gm;
/** `… from "./x"`, `import "./x"`, `import("./x")` and `require("./x")`. */
const RELATIVE_SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']*|\.{1,2})["']/g;

/** Relative module specifiers of a TypeScript module (its import and export declarations, dynamic imports, requires). */
export function relativeImports(text: string): string[] {
  return [...text.replace(COMMENTS, "").matchAll(RELATIVE_SPECIFIERS)].map((match) => match[1] ?? "");
}

function resolveModule(base: string): string {
  for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  throw new Error(`cannot resolve policy pack module ${base} (.ts or /index.ts)`);
}

/** The pack's PulumiPolicy.yaml with its runtime switched to plain JavaScript, started with the preload. */
function javascriptRuntime(policyYaml: string, preload: string): string {
  const withoutTypescript = policyYaml.replace(/^([ \t]*)typescript:[ \t]*\w+[ \t]*$/m, `$1typescript: false\n$1nodeargs: --require ${preload}`);
  if (/typescript:\s*false/.test(withoutTypescript)) return withoutTypescript;
  throw new Error("policies/PulumiPolicy.yaml must declare `runtime.options.typescript` so the compiled pack can turn it off");
}
