/**
 * Loaded first by the service (`automation/index.ts`) and preloaded
 * (`node --require`) into the compiled policy pack's process.
 * `@pulumi/pulumi` imports the TypeScript compiler (closure serialization)
 * eagerly: much of a policy pack's start-up time and of the service's
 * memory, though neither uses it. This defers loading it until something
 * really touches it: the first property access loads the real module, so
 * behaviour is unchanged. Its `version` comes from its package.json.
 */
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";

const deferred = new Set(["typescript"]);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const internals = Module as unknown as { _load: Load };
const load = internals._load;

internals._load = function deferLoad(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (!deferred.has(request)) return load.call(this, request, parent, isMain);
  let real: object | undefined;
  const resolveReal = (): object => (real ??= load.call(this, request, parent, isMain) as object);
  // `__esModule` keeps TypeScript's `__importStar` from copying (and so loading) every export at import time.
  return new Proxy(function deferredModule() {}, {
    get: (_target, property) => {
      if (property === "__esModule") return true;
      if (property === "version" && real === undefined) return packageVersion(request, parent);
      return Reflect.get(resolveReal(), property);
    },
    has: (_target, property) => property in resolveReal(),
    apply: (_target, self, args: unknown[]) => Reflect.apply(resolveReal() as (...a: unknown[]) => unknown, self, args),
    construct: (_target, args: unknown[]) => Reflect.construct(resolveReal() as new (...a: unknown[]) => object, args),
  });
};

/** The version in the package.json of `request` as `parent` resolves it (what the module's `version` export says). */
function packageVersion(request: string, parent: unknown): unknown {
  const from = (parent as { filename?: string } | null)?.filename ?? __filename;
  const manifest = createRequire(from).resolve(`${request}/package.json`);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown }).version;
}
