import { describe, expect, it } from "vitest";
import { ConcurrencyLimit } from "../../../automation/support/concurrencyLimit";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe("ConcurrencyLimit", () => {
  it("runs at most `limit` tasks at once and starts the waiting ones in arrival order", async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const results = gates.map((gate, n) =>
      limit.run(async () => {
        started.push(n);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return n;
      }),
    );
    await new Promise((tick) => setImmediate(tick));
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await new Promise((tick) => setImmediate(tick));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it("frees the slot of a task that fails", async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limit.run(() => Promise.resolve("next"))).toBe("next");
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new ConcurrencyLimit(0)).toThrow("`limit` must be a positive integer");
    expect(() => new ConcurrencyLimit(1.5)).toThrow("`limit` must be a positive integer");
  });
});
