import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAUSE_SECONDS,
  MAX_STEPS,
  clampWeight,
  measurementPlan,
  nextAction,
  planSteps,
  stepWeightProblems,
  trafficSplit,
  type InconclusivePolicy,
  type StepOutcome,
} from "../../../automation/release/steps";

describe("step planning", () => {
  it("defaults to 5 → 25 → 50 → 100 with the default pause each", () => {
    expect(planSteps()).toEqual([5, 25, 50, 100].map((weight) => ({ weight, pauseSeconds: DEFAULT_PAUSE_SECONDS })));
  });

  it("plans the given weights with the given pause", () => {
    expect(planSteps([10, 100], 30)).toEqual([
      { weight: 10, pauseSeconds: 30 },
      { weight: 100, pauseSeconds: 30 },
    ]);
  });

  it("refuses weights that do not increase", () => {
    expect(() => planSteps([25, 25])).toThrow(/step 1 weight must be greater than the previous step's weight \(25\)/);
  });

  it("names each out-of-range weight by index", () => {
    expect(stepWeightProblems([0, 50, 101, 2.5])).toEqual([
      { index: 0, kind: "range", message: "must be a whole number from 1 to 100, got 0" },
      { index: 2, kind: "range", message: "must be a whole number from 1 to 100, got 101" },
      { index: 3, kind: "range", message: "must be a whole number from 1 to 100, got 2.5" },
    ]);
  });

  it("refuses no steps and too many steps", () => {
    expect(stepWeightProblems([]).map((p) => p.kind)).toEqual(["count"]);
    expect(stepWeightProblems(Array.from({ length: MAX_STEPS + 1 }, (_, i) => i + 1)).map((p) => p.kind)).toEqual(["count"]);
  });

  it("accepts every strictly increasing list of weights from 1 to 100", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: MAX_STEPS }), (weights) => {
        const sorted = [...weights].sort((a, b) => a - b);
        expect(stepWeightProblems(sorted)).toEqual([]);
        expect(planSteps(sorted).map((step) => step.weight)).toEqual(sorted);
      }),
    );
  });

  it("reports an order problem for every list that is not strictly increasing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: MAX_STEPS }), (weights) => {
        const increasing = weights.every((w, i) => i === 0 || w > weights[i - 1]!);
        expect(stepWeightProblems(weights).some((p) => p.kind === "order")).toBe(!increasing);
      }),
    );
  });
});

describe("weight maths", () => {
  it("splits traffic so that canary and stable always add up to 100", () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), (weight) => {
        const split = trafficSplit(weight);
        expect(split.canary + split.stable).toBe(100);
        expect(split.canary).toBeGreaterThanOrEqual(0);
        expect(split.canary).toBeLessThanOrEqual(100);
        expect(Number.isInteger(split.canary)).toBe(true);
      }),
    );
  });

  it("clamps and rounds weights, treating NaN as 0", () => {
    expect([clampWeight(-3), clampWeight(12.4), clampWeight(12.5), clampWeight(250), clampWeight(Number.NaN)]).toEqual([0, 12, 13, 100, 0]);
  });

});

describe("measurement plan", () => {
  const defaults = { count: 1, intervalSeconds: 60, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };

  it("applies a step's overrides over the release's settings", () => {
    expect(measurementPlan(defaults, { weight: 50, pauseSeconds: 0, analysis: { count: 5, failureLimit: 1 } })).toEqual({ ...defaults, count: 5, failureLimit: 1 });
  });

  it("keeps the release's settings for a step without overrides", () => {
    expect(measurementPlan(defaults, { weight: 50, pauseSeconds: 0 })).toEqual(defaults);
  });
});

describe("next action after a step", () => {
  const extend: InconclusivePolicy = { action: "extend", maxExtensions: 2, whenExhausted: "pause" };
  const outcome = (overrides: Partial<StepOutcome>): StepOutcome => ({ phase: "successful", stepIndex: 0, stepCount: 4, extensions: 0, inconclusive: extend, ...overrides });

  it("advances after a successful step that is not the last", () => {
    expect(nextAction(outcome({ stepIndex: 1 }))).toEqual({ kind: "advance", toStep: 2 });
  });

  it("promotes after the last step succeeds", () => {
    expect(nextAction(outcome({ stepIndex: 3 }))).toEqual({ kind: "promote" });
  });

  it("rolls back a failed or errored step", () => {
    expect(nextAction(outcome({ phase: "failed" }))).toEqual({ kind: "rollback", why: "failed" });
    expect(nextAction(outcome({ phase: "error" }))).toEqual({ kind: "rollback", why: "error" });
  });

  it("extends an inconclusive step while extensions remain", () => {
    expect(nextAction(outcome({ phase: "inconclusive", extensions: 1 }))).toEqual({ kind: "extend", extension: 2 });
  });

  it("applies the exhausted policy once extensions are used up", () => {
    expect(nextAction(outcome({ phase: "inconclusive", extensions: 2 }))).toEqual({ kind: "pause", why: "extensions-exhausted" });
    expect(nextAction(outcome({ phase: "inconclusive", extensions: 2, inconclusive: { ...extend, whenExhausted: "fail" } }))).toEqual({
      kind: "rollback",
      why: "extensions-exhausted",
    });
  });

  it("pauses or fails an inconclusive step as configured", () => {
    expect(nextAction(outcome({ phase: "inconclusive", inconclusive: { ...extend, action: "pause" } }))).toEqual({ kind: "pause", why: "inconclusive" });
    expect(nextAction(outcome({ phase: "inconclusive", inconclusive: { ...extend, action: "fail" } }))).toEqual({ kind: "rollback", why: "inconclusive" });
  });

  it("never advances or promotes unless the step succeeded", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("failed", "error", "inconclusive" as const),
        fc.nat(10),
        fc.constantFrom("extend", "pause", "fail" as const),
        (phase, extensions, action) => {
          const kind = nextAction(outcome({ phase, extensions, inconclusive: { ...extend, action } })).kind;
          expect(["advance", "promote"]).not.toContain(kind);
        },
      ),
    );
  });
});
