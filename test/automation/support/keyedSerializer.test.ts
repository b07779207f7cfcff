import { describe, expect, it } from "vitest";
import { KeyedSerializer } from "../../../automation/support/keyedSerializer";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("KeyedSerializer", () => {
  it("runs one task at a time per key, in arrival order", async () => {
    const serializer = new KeyedSerializer();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await tick(ms);
      events.push(`end ${name}`);
    };

    await Promise.all([serializer.run("a", task("1", 20)), serializer.run("a", task("2", 1))]);

    expect(events).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("runs different keys at once", async () => {
    const serializer = new KeyedSerializer();
    const events: string[] = [];
    const slow = serializer.run("a", async () => {
      events.push("start a");
      await tick(20);
      events.push("end a");
    });
    const fast = serializer.run("b", async () => {
      events.push("b");
    });

    await Promise.all([slow, fast]);

    expect(events).toEqual(["start a", "b", "end a"]);
  });

  it("runs the next task after one that failed, and forgets idle keys", async () => {
    const serializer = new KeyedSerializer();
    const failed = serializer.run("a", async () => Promise.reject(new Error("boom")));
    const next = serializer.run("a", async () => "ran");

    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe("ran");
    await tick(0);
    expect(serializer.busyKeys()).toEqual([]);
  });
});
