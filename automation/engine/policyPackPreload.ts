/**
 * Preloaded (`node --require`) into the compiled policy pack's process
 * (compiledPolicyPack.ts, scripts/build.ts). Pulumi's pack runner
 * (`@pulumi/pulumi/cmd/run-policy-pack`) registers ts-node with type checking
 * whatever the pack's runtime options say, and that loads the TypeScript
 * compiler: about 300 ms of every pack start, so of every preview and update
 * (580 → 295 ms until the pack listens, Node 24). The compiled pack is
 * JavaScript and has no `.ts` module for ts-node to compile, so here its
 * registration does nothing and the compiler stays unloaded.
 *
 * Node writes its compile cache (`NODE_COMPILE_CACHE`, nodeCompileCache.ts)
 * when a process exits, and the engine kills the pack instead: so the cache
 * is written as soon as the pack's modules are loaded.
 */
import Module from "node:module";
import { isAbsolute, resolve } from "node:path";
import "../support/deferredModules";

/** `ts-node` from node_modules, or the copy `@pulumi/pulumi` vendors (`vendor/ts-node@7.0.1`). */
const TS_NODE = /(^|[/\\])ts-node(@[^/\\]*)?$/;

const typeScriptFree = { register: (): void => undefined, VERSION: "not loaded: the compiled policy pack is JavaScript" };

/** The runner's last argument is the pack's directory, which it then requires (before it rewrites `process.argv`). */
const packDirectory = process.argv.at(-1);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const internals = Module as unknown as { _load: Load };
const load = internals._load;

internals._load = function policyPackLoad(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (TS_NODE.test(request)) return typeScriptFree;
  const loaded = load.call(this, request, parent, isMain);
  if (packDirectory !== undefined && isAbsolute(request) && resolve(request) === resolve(packDirectory)) flushCompileCache();
  return loaded;
};

/** Node 22.10 and newer; a no-op without a compile cache directory. */
function flushCompileCache(): void {
  (Module as { flushCompileCache?: () => void }).flushCompileCache?.();
}
