import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitWeights, WeightError, weightProblem } from "../../../components/trafficSplit/weights";

const validWeight = fc.integer({ min: 0, max: 100 });
const invalidWeight = fc.oneof(
  fc.integer({ max: -1 }),
  fc.integer({ min: 101 }),
  fc.double({ noInteger: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

describe("splitWeights", () => {
  it("always gives integer weights that sum to 100", () => {
    fc.assert(
      fc.property(validWeight, fc.boolean(), fc.boolean(), (weight, hasCanary, hasBaseline) => {
        const weights = splitWeights(weight, hasCanary, hasBaseline);

        expect(weights.stable + weights.canary + weights.baseline).toBe(100);
        expect([weights.stable, weights.canary, weights.baseline].every((share) => Number.isInteger(share) && share >= 0)).toBe(true);
      }),
    );
  });

  it("gives a baseline as much as the canary, out of stable's share, as far as there is any", () => {
    fc.assert(
      fc.property(validWeight, (weight) => {
        const weights = splitWeights(weight, true, true);

        expect(weights.canary).toBe(weight);
        expect(weights.baseline).toBe(Math.min(weight, 100 - weight));
      }),
    );
    expect(splitWeights(25, true, true)).toEqual({ stable: 50, canary: 25, baseline: 25 });
    expect(splitWeights(30, false, true)).toEqual({ stable: 100, canary: 0, baseline: 0 });
  });

  it("gives the canary exactly the weight asked for when there is one", () => {
    fc.assert(
      fc.property(validWeight, (weight) => {
        expect(splitWeights(weight, true)).toEqual({ stable: 100 - weight, canary: weight, baseline: 0 });
      }),
    );
  });

  it("sends the canary nothing at weight 0", () => {
    expect(splitWeights(0, true)).toEqual({ stable: 100, canary: 0, baseline: 0 });
  });

  it("sends the canary everything at weight 100", () => {
    expect(splitWeights(100, true)).toEqual({ stable: 0, canary: 100, baseline: 0 });
  });

  it("sends everything to stable when there is no canary, whatever the weight", () => {
    fc.assert(
      fc.property(validWeight, (weight) => {
        expect(splitWeights(weight, false)).toEqual({ stable: 100, canary: 0, baseline: 0 });
      }),
    );
  });

  it("rejects weights that are not integers from 0 to 100, naming canaryWeight", () => {
    fc.assert(
      fc.property(invalidWeight, fc.boolean(), (weight, hasCanary) => {
        expect(() => splitWeights(weight, hasCanary)).toThrow(WeightError);
        expect(() => splitWeights(weight, hasCanary)).toThrow("`canaryWeight` must be an integer from 0 to 100");
      }),
    );
  });

  it("describes what is wrong with a weight that is not a number", () => {
    expect(weightProblem("50")).toBe('must be an integer from 0 to 100 (got "50")');
    expect(weightProblem(50)).toBeUndefined();
  });
});
