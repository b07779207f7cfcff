import { describe, expect, it } from "vitest";
import { systemClock } from "../../../automation/deps";

describe("system clock", () => {
  it("sleeps for real", async () => {
    const before = Date.now();
    await systemClock.sleep(20);
    expect(Date.now() - before).toBeGreaterThanOrEqual(15);
  });

  it("stops sleeping when the signal aborts", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: "AbortError" });
  });

  it("tells the time", () => {
    expect(Math.abs(systemClock.now().getTime() - Date.now())).toBeLessThan(1_000);
  });
});
