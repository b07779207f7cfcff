/**
 * Node's on-disk compile cache for the engine's Node processes (a program the
 * CLI starts, a policy pack): each loads `@pulumi/pulumi` again on every run.
 * Loading `@pulumi/policy`, `@pulumi/pulumi` and `@pulumi/kubernetes` took
 * 188–313 ms without the cache and 124–130 ms with it (Node 24, this repo).
 * Node writes the cache when a process exits, and the engine kills a policy
 * pack: the pack's preload writes it once the pack is loaded
 * (policyPackPreload.ts).
 */

/** `NODE_COMPILE_CACHE=dir` unless the environment already sets or disables Node's compile cache. */
export function nodeCompileCacheEnv(dir: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!dir || env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return {};
  return { NODE_COMPILE_CACHE: dir };
}
