import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PHASES, assessAnalysis, assessMetric, severity, tally, worstPhase, type Phase } from "../../../../automation/release/analysis/assess";

const limits = { count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };

describe("tally", () => {
  it("counts every phase and leaves errors out of the count", () => {
    expect(tally(["successful", "error", "failed", "inconclusive", "error", "error"])).toEqual({
      count: 3,
      successful: 1,
      failed: 1,
      inconclusive: 1,
      errors: 3,
      consecutiveErrors: 2,
    });
  });

  it("resets consecutive errors after a completed measurement", () => {
    expect(tally(["error", "error", "successful"]).consecutiveErrors).toBe(0);
  });
});

describe("a metric's phase", () => {
  it("is running until the count is reached", () => {
    expect(assessMetric(["successful", "successful"], limits)).toBe("running");
    expect(assessMetric(["successful", "successful", "successful"], limits)).toBe("successful");
  });

  it("fails on the first failure with the default failure limit of 0", () => {
    expect(assessMetric(["failed"], limits)).toBe("failed");
  });

  it("tolerates failures up to the failure limit", () => {
    const tolerant = { ...limits, failureLimit: 1 };
    expect(assessMetric(["failed", "successful", "successful"], tolerant)).toBe("successful");
    expect(assessMetric(["failed", "successful", "failed"], tolerant)).toBe("failed");
  });

  it("is inconclusive once inconclusive measurements exceed the limit", () => {
    expect(assessMetric(["inconclusive"], limits)).toBe("inconclusive");
    expect(assessMetric(["inconclusive", "successful", "successful"], { ...limits, inconclusiveLimit: 1 })).toBe("successful");
  });

  it("judges failures before inconclusive measurements", () => {
    expect(assessMetric(["inconclusive", "failed"], limits)).toBe("failed");
  });

  it("retries errors without counting them, until too many come in a row", () => {
    expect(assessMetric(["error", "error", "error", "error"], limits)).toBe("running");
    expect(assessMetric(["error", "error", "error", "error", "error"], limits)).toBe("error");
    expect(assessMetric(["error", "successful", "error", "successful", "successful"], limits)).toBe("successful");
  });

  it("never succeeds on errors alone", () => {
    fc.assert(
      fc.property(fc.nat(20), (n) => {
        expect(assessMetric(Array<Phase>(n).fill("error"), { ...limits, count: 1 })).not.toBe("successful");
      }),
    );
  });
});

describe("worst phase", () => {
  it("orders successful < inconclusive < error < failed", () => {
    expect(PHASES.map(severity)).toEqual([0, 1, 2, 3]);
    expect(worstPhase(["successful", "error", "inconclusive"])).toBe("error");
    expect(worstPhase([])).toBeUndefined();
  });

  it("is one of the phases given, and none given is more severe", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PHASES), { minLength: 1 }), (phases) => {
        const worst = worstPhase(phases)!;
        expect(phases).toContain(worst);
        expect(phases.every((p) => severity(p) <= severity(worst))).toBe(true);
      }),
    );
  });
});

describe("an analysis's phase", () => {
  it("is decided at once by a failed or errored metric", () => {
    expect(assessAnalysis(["failed", "running"])).toBe("failed");
    expect(assessAnalysis(["running", "error"])).toBe("error");
  });

  it("runs while any metric runs and nothing has failed", () => {
    expect(assessAnalysis(["successful", "inconclusive", "running"])).toBe("running");
  });

  it("takes the worst phase once every metric is done", () => {
    expect(assessAnalysis(["successful", "inconclusive"])).toBe("inconclusive");
    expect(assessAnalysis(["successful", "successful"])).toBe("successful");
  });

  it("is successful with no metrics", () => {
    expect(assessAnalysis([])).toBe("successful");
  });
});
