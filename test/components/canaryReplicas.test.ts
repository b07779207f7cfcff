import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canaryReplicasFor } from "../../components/canaryReplicas";

describe("canaryReplicasFor", () => {
  it.each([
    [1, 5, 1],
    [1, 25, 1],
    [1, 50, 1],
    [1, 100, 1],
    [3, 5, 1],
    [3, 25, 1],
    [3, 50, 2],
    [3, 100, 3],
    [10, 5, 1],
    [10, 25, 3],
    [10, 50, 5],
    [10, 100, 10],
  ])("runs %i stable replicas at %i%% with %i canary replicas", (stable, weight, expected) => {
    expect(canaryReplicasFor(stable, weight)).toBe(expected);
  });

  it("keeps one canary pod at weight 0, so it is ready before traffic arrives", () => {
    expect(canaryReplicasFor(10, 0)).toBe(1);
  });

  it("never runs fewer canary pods than the share of stable's needs, nor more than stable at 100%", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (stable, weight) => {
        const canary = canaryReplicasFor(stable, weight);
        expect(canary).toBeGreaterThanOrEqual(Math.max(1, (stable * weight) / 100));
        expect(canary).toBeLessThanOrEqual(stable);
      }),
    );
  });
});
