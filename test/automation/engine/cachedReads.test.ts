import { describe, expect, it } from "vitest";
import { CachedReadsEngine } from "../../../automation/engine/cachedReads";
import { FakeStackEngine } from "../support/fakeEngine";

function setup() {
  const inner = new FakeStackEngine();
  let now = 0;
  const engine = new CachedReadsEngine(inner, { listTtlMs: 10_000, outputsTtlMs: 30_000, now: () => now });
  const reads = (method: "list" | "outputs") => inner.calls.filter((call) => call.method === method).length;
  return { inner, engine, reads, advance: (ms: number) => (now += ms) };
}

const config = { "rollgate:pr": { value: "7" }, "rollgate:image": { value: "app:1" }, "rollgate:createdAt": { value: "2026-11-22T00:00:00Z" } };

describe("CachedReadsEngine", () => {
  it("shares one list between concurrent and repeated reads within the TTL", async () => {
    const { engine, reads, advance } = setup();

    await Promise.all([engine.list(), engine.list(), engine.list()]);
    advance(9_000);
    await engine.list();

    expect(reads("list")).toBe(1);
  });

  it("lists again once the TTL has passed", async () => {
    const { engine, reads, advance } = setup();

    await engine.list();
    advance(10_000);
    await engine.list();

    expect(reads("list")).toBe(2);
  });

  it("takes a stack's outputs from this process's update instead of reading them", async () => {
    const { engine, reads } = setup();

    const result = await engine.up("preview-pr-7", config);

    expect(await engine.outputs("preview-pr-7")).toEqual(result.outputs);
    expect(reads("outputs")).toBe(0);
  });

  it("lists again after an update creates a stack, and after a destroy removes it", async () => {
    const { engine } = setup();
    expect(await engine.list()).toEqual([]);

    await engine.up("preview-pr-7", config);
    expect((await engine.list()).map((stack) => stack.name)).toEqual(["preview-pr-7"]);

    await engine.destroy("preview-pr-7");
    expect(await engine.list()).toEqual([]);
    await expect(engine.outputs("preview-pr-7")).rejects.toThrow(/no stack/);
  });

  it("does not keep a failed read", async () => {
    const { inner, engine, reads } = setup();
    inner.failReads = new Error("backend unavailable");
    await expect(engine.list()).rejects.toThrow("backend unavailable");

    inner.failReads = undefined;
    await engine.list();

    expect(reads("list")).toBe(2);
  });

  it("reads outputs changed elsewhere once their TTL has passed", async () => {
    const { inner, engine, advance } = setup();
    await engine.up("preview-pr-7", config);
    inner.stacks.get("preview-pr-7")!.outputs = { url: "http://changed.elsewhere" };

    advance(30_000);

    expect(await engine.outputs("preview-pr-7")).toEqual({ url: "http://changed.elsewhere" });
  });
});
