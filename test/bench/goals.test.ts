import { describe, expect, it } from "vitest";
import { evaluateGoals, type Figures } from "../../bench/lib/goals";
import { parseEnvFile } from "../../bench/lib/machine";
import { summarize } from "../../bench/lib/stats";
import { weightSequence } from "../../bench/lib/weights";

const goal = (figures: Figures, id: string) => evaluateGoals(figures).find((result) => result.id === id);

describe("bench goals", () => {
  it("meets the weight-step goal at a median of 1.5 s or less", () => {
    expect(goal({ "weightStep.rollgate": summarize([1, 1.5, 4], "s") }, "weight-step-median")).toMatchObject({ actual: 1.5, limit: 1.5, met: true });
  });

  it("compares the CLI baseline with Rollgate by their medians", () => {
    const figures = { "weightStep.rollgate": summarize([2], "s"), "weightStep.cli": summarize([3.5], "s") };

    expect(goal(figures, "weight-step-vs-cli")).toMatchObject({ actual: 1.75, limit: 2, met: false });
  });

  it("holds a preview create to 12 s and to 1.2× the CLI's create of the same stack", () => {
    const figures = { "preview.createToReady": summarize([14], "s"), "preview.cli.createToReady": summarize([12], "s") };

    expect(goal(figures, "preview-create-median")).toMatchObject({ actual: 14, limit: 12, met: false });
    expect(goal(figures, "preview-create-vs-cli")).toMatchObject({ actual: 1.17, limit: 1.2, met: true });
  });

  it("sets the concurrent wall-time limit from three single creates", () => {
    const figures = { "preview.createToReady": summarize([10], "s"), "concurrency.createAllWall": summarize([29], "s") };

    expect(goal(figures, "concurrent-wall")).toMatchObject({ actual: 29, limit: 30, met: true });
  });

  it("reports a goal whose figures were not measured as neither met nor missed", () => {
    expect(goal({}, "rollback-median")).toMatchObject({ actual: null, met: null });
  });

  it("wants Rollgate's median abort strictly faster than Argo Rollouts' median abort", () => {
    const figures = { "abort.rollgate": summarize([0.2], "s"), "argo.abort": summarize([0.2], "s"), "rollback.rollgate": summarize([0.01], "s") };

    expect(goal(figures, "argo-abort-ratio")).toMatchObject({ actual: 1, limit: 1, met: false });
    expect(goal({ ...figures, "argo.abort": summarize([0.3], "s") }, "argo-abort-ratio")).toMatchObject({ actual: 1.5, met: true });
  });

  it("judges API latency by its p99 and its max", () => {
    const latency = summarize([10, 20, 500], "ms", { percentiles: true });
    const quick = summarize([...Array.from({ length: 199 }, () => 10), 240], "ms", { percentiles: true });

    expect(goal({ "api.listPreviews.underLoad": latency }, "api-p99-under-load")).toMatchObject({ actual: 500, limit: 50, met: false });
    expect(goal({ "api.listPreviews.underLoad": latency }, "api-max-under-load")).toMatchObject({ actual: 500, limit: 250, met: false });
    expect(goal({ "api.listPreviews.underLoad": quick }, "api-p99-under-load")).toMatchObject({ actual: 10, met: true });
    expect(goal({ "api.listPreviews.underLoad": quick }, "api-max-under-load")).toMatchObject({ actual: 240, met: true });
  });
});

describe("bench helpers", () => {
  it("spaces release weights evenly up to at most 100", () => {
    expect(weightSequence(3)).toEqual([33, 66, 99]);
    expect(weightSequence(20).at(-1)).toBe(100);
    expect(() => weightSequence(0)).toThrow(RangeError);
  });

  it("reads KEY=value lines of the pinned versions file", () => {
    expect(parseEnvFile("# comment\nPULUMI_VERSION=3.259.0\n\nKWOK_VERSION=\"0.8.0\"\n")).toEqual({ PULUMI_VERSION: "3.259.0", KWOK_VERSION: "0.8.0" });
  });
});
