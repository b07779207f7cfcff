import { describe, expect, it } from "vitest";
import { LimitReachedError } from "../../../automation/errors";
import { StreamSlots } from "../../../automation/routes/streamSlots";

describe("StreamSlots", () => {
  it("bounds streams per token and in all, and frees a slot once, however often it is released", () => {
    const slots = new StreamSlots({ perToken: 2, total: 3 });
    const a1 = slots.take("a");
    slots.take("a");
    slots.take("b");

    expect(() => slots.take("a")).toThrow(LimitReachedError);
    expect(() => slots.take("c")).toThrow(/the service has 3 event streams open/);
    a1();
    a1();
    expect(slots.count()).toBe(2);
    expect(slots.count("a")).toBe(1);
    expect(() => slots.take("c")).not.toThrow();
    expect(() => slots.take("d")).toThrow(LimitReachedError);
  });
});
