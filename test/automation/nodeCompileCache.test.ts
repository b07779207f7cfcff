import { describe, expect, it } from "vitest";
import { nodeCompileCacheEnv } from "../../automation/engine/nodeCompileCache";

describe("nodeCompileCacheEnv", () => {
  it("points the engine's Node processes at the cache directory", () => {
    expect(nodeCompileCacheEnv("/state/node-compile-cache", {})).toEqual({ NODE_COMPILE_CACHE: "/state/node-compile-cache" });
  });

  it("leaves Node's own settings alone: a cache the environment names, or one it disables", () => {
    expect(nodeCompileCacheEnv("/state/cache", { NODE_COMPILE_CACHE: "/mine" })).toEqual({});
    expect(nodeCompileCacheEnv("/state/cache", { NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual({});
  });

  it("sets nothing without a directory", () => {
    expect(nodeCompileCacheEnv(undefined, {})).toEqual({});
  });
});
