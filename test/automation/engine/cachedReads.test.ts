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
    await expect(engine.outputs("preview-pr-7")).rejects.toThrow(/does not exist/);
  });

  it("does not keep a failed read", async () => {
    const { inner, engine, reads } = setup();
    inner.failReads = new Error("backend unavailable");
    await expect(engine.list()).rejects.toThrow("backend unavailable");

    inner.failReads = undefined;
    await engine.list();

    expect(reads("list")).toBe(2);
  });

  it("answers expired outputs at once while one read refreshes them, then the refreshed ones", async () => {
    const { inner, engine, reads, advance } = setup();
    const result = await engine.up("preview-pr-7", config);
    inner.stacks.get("preview-pr-7")!.outputs = { url: "http://changed.elsewhere" };
    advance(30_000);

    expect(await Promise.all([engine.outputs("preview-pr-7"), engine.outputs("preview-pr-7")])).toEqual([result.outputs, result.outputs]);
    await flush();

    expect(await engine.outputs("preview-pr-7")).toEqual({ url: "http://changed.elsewhere" });
    expect(reads("outputs")).toBe(1);
  });

  it("answers an expired list at once and refreshes it in the background", async () => {
    const { inner, engine, reads, advance } = setup();
    await engine.list();
    await inner.up("preview-pr-8", config);
    advance(10_000);

    expect(await engine.list()).toEqual([]);
    await flush();

    expect((await engine.list()).map((stack) => stack.name)).toEqual(["preview-pr-8"]);
    expect(reads("list")).toBe(2);
  });

  it("waits for a fresh list when the cached one is older than the staleness bound", async () => {
    const { inner, engine, advance } = setup();
    await engine.list();
    await inner.up("preview-pr-8", config);
    advance(60_000);

    expect((await engine.list()).map((stack) => stack.name)).toEqual(["preview-pr-8"]);
  });

  it("reports the error to the next read after a failed background refresh, instead of answering stale data forever", async () => {
    const { inner, engine, advance } = setup();
    await engine.list();
    inner.failReads = new Error("backend unavailable");
    advance(10_000);

    expect(await engine.list()).toEqual([]);
    await flush();

    await expect(engine.list()).rejects.toThrow("backend unavailable");
  });

  it("keeps this process's update when a list read that started before it lands afterwards", async () => {
    const { inner, engine, advance } = setup();
    await engine.list();
    advance(10_000);
    const listBefore = inner.list.bind(inner);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inner.list = async () => {
      const listed = await listBefore();
      await gate;
      return listed;
    };

    expect(await engine.list()).toEqual([]);
    await engine.up("preview-pr-7", config);
    release();
    await flush();

    expect((await engine.list()).map((stack) => stack.name)).toEqual(["preview-pr-7"]);
  });

  it("keeps an update's outputs when an outputs read that started before it lands afterwards", async () => {
    const { inner, engine, advance } = setup();
    await engine.up("preview-pr-7", { ...config, "rollgate:image": { value: "app:1" } });
    advance(30_000);
    const outputsBefore = inner.outputs.bind(inner);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inner.outputs = async (stack) => {
      const outputs = await outputsBefore(stack);
      await gate;
      return outputs;
    };

    await engine.outputs("preview-pr-7");
    const updated = await engine.up("preview-pr-7", { ...config, "rollgate:image": { value: "app:2" } });
    release();
    await flush();

    expect(await engine.outputs("preview-pr-7")).toEqual(updated.outputs);
  });
});

/** Lets background refreshes settle. */
function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
