import { describe, expect, it } from "vitest";
import { median, percentile, ratio, round, summarize } from "../../bench/lib/stats";

describe("bench statistics", () => {
  it("takes the middle sample of an odd count as the median", () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it("averages the two middle samples of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("answers NaN for the median of no samples", () => {
    expect(median([])).toBeNaN();
  });

  it("uses the nearest rank for percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1);

    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it("rejects a percentile outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("summarizes samples as runs, min, median and max without reordering them", () => {
    const figure = summarize([2.0004, 1, 3], "s");

    expect(figure).toEqual({ unit: "s", runs: 3, min: 1, median: 2, max: 3, samples: [2, 1, 3] });
  });

  it("adds p50 and p99 when asked for percentiles", () => {
    const figure = summarize([10, 20, 30, 40], "ms", { percentiles: true, digits: 1 });

    expect(figure).toMatchObject({ p50: 20, p99: 40 });
  });

  it("refuses to summarize no samples", () => {
    expect(() => summarize([], "s")).toThrow(RangeError);
  });

  it("rounds to the given number of decimals", () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNaN();
  });

  it("leaves a ratio undefined when a side is missing or the denominator is 0", () => {
    expect(ratio(9, 3)).toBe(3);
    expect(ratio(undefined, 3)).toBeUndefined();
    expect(ratio(1, 0)).toBeUndefined();
  });
});
