import { describe, expect, it } from "vitest";
import {
  changeFailureRateBand,
  deploymentFrequencyBand,
  leadTimeBand,
  timeToRestoreBand,
} from "../../../automation/services/dora/bands";
import { computeDora, incidents, median, type DeliveryRecord, type DeliveryStatus } from "../../../automation/services/dora/dora";
import { windowMs } from "../../../automation/services/dora/window";

const now = new Date("2030-01-31T00:00:00.000Z");
const day = 86_400_000;
const thirtyDays = 30 * day;

let ids = 0;
/** A production release finished `finishedDaysAgo` before `now`, committed `leadHours` before it finished. */
function release(status: DeliveryStatus, finishedDaysAgo: number, leadHours?: number, environment = "production"): DeliveryRecord {
  const finished = now.getTime() - finishedDaysAgo * day;
  ids += 1;
  return {
    id: `rel-${String(ids).padStart(3, "0")}`,
    environment,
    status,
    startedAt: new Date(finished - 3_600_000).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    ...(leadHours === undefined ? {} : { commitTime: new Date(finished - leadHours * 3_600_000).toISOString() }),
  };
}

/**
 * 30 days of production: 6 promotions (lead times 2, 4, 6, 30, 48 hours; one
 * without a commit time), 2 rollbacks, 1 failure, 1 abort; one release still
 * running; a staging release, and a production one older than the window.
 */
const history: DeliveryRecord[] = [
  release("succeeded", 40, 1), // outside the window
  release("succeeded", 29, 2),
  release("rolledBack", 25),
  release("failed", 24.5), // same incident as the rollback before it
  release("succeeded", 24, 4), // restores 1 day after the rollback
  release("aborted", 20),
  release("succeeded", 15, 6),
  release("rolledBack", 10),
  release("succeeded", 9.5, 30), // restores 12 hours later
  release("succeeded", 5, 48),
  release("succeeded", 1),
  { id: "rel-active", environment: "production", status: "progressing", startedAt: now.toISOString(), finishedAt: null },
  release("rolledBack", 2, undefined, "staging"),
];

describe("computeDora over a known history", () => {
  const report = computeDora(history, "production", thirtyDays, now);

  it("counts promotions in the window per day and per week", () => {
    expect(report.deploymentFrequency).toMatchObject({ value: 0.2, band: "high", samples: 6 });
    expect(report.deploymentFrequency.perWeek).toBeCloseTo(1.4);
  });

  it("takes the median lead time of the promotions with a commit time", () => {
    // 2, 4, 6, 30, 48 hours → 6 hours; one promotion has no commit time.
    expect(report.leadTimeForChanges).toEqual({ value: 6 * 3600, band: "elite", samples: 5, withoutCommitTime: 1 });
  });

  it("divides rolled-back and failed releases by all finished ones, aborts included", () => {
    // 6 succeeded + 2 rolled back + 1 failed + 1 aborted = 10 finished, 3 failed.
    expect(report.changeFailureRate).toEqual({ value: 0.3, band: "low", samples: 10, failed: 3, finished: 10 });
  });

  it("measures each incident from its first failure to the next promotion", () => {
    // 1 day and 12 hours → median 18 hours.
    expect(report.timeToRestore).toEqual({ value: 18 * 3600, band: "high", samples: 2, unrestored: 0 });
  });

  it("names the window it covers", () => {
    expect(report).toMatchObject({ environment: "production", from: "2030-01-01T00:00:00.000Z", to: "2030-01-31T00:00:00.000Z" });
  });
});

describe("computeDora edge cases", () => {
  it("reports no samples and no bands for an empty window", () => {
    const report = computeDora([release("succeeded", 60, 1)], "production", thirtyDays, now);

    expect(report.deploymentFrequency).toEqual({ value: 0, perWeek: 0, band: null, samples: 0 });
    expect(report.leadTimeForChanges).toEqual({ value: null, band: null, samples: 0, withoutCommitTime: 0 });
    expect(report.changeFailureRate).toEqual({ value: null, band: null, samples: 0, failed: 0, finished: 0 });
    expect(report.timeToRestore).toEqual({ value: null, band: null, samples: 0, unrestored: 0 });
  });

  it("reports a single successful release", () => {
    const report = computeDora([release("succeeded", 1, 3)], "production", 7 * day, now);

    expect(report.deploymentFrequency).toMatchObject({ value: 1 / 7, perWeek: 1, band: "high", samples: 1 });
    expect(report.leadTimeForChanges).toMatchObject({ value: 3 * 3600, band: "elite", samples: 1 });
    expect(report.changeFailureRate).toMatchObject({ value: 0, band: "elite", samples: 1 });
    expect(report.timeToRestore).toMatchObject({ value: null, band: null, samples: 0 });
  });

  it("counts a single rolled-back release as a failure not restored yet", () => {
    const report = computeDora([release("rolledBack", 1)], "production", 7 * day, now);

    expect(report.deploymentFrequency).toMatchObject({ value: 0, samples: 0, band: null });
    expect(report.changeFailureRate).toMatchObject({ value: 1, band: "low", failed: 1, finished: 1 });
    expect(report.timeToRestore).toEqual({ value: null, band: null, samples: 0, unrestored: 1 });
  });

  it("ignores other environments and releases still running", () => {
    const report = computeDora(history, "staging", thirtyDays, now);

    expect(report.changeFailureRate).toMatchObject({ failed: 1, finished: 1 });
    expect(report.deploymentFrequency.samples).toBe(0);
  });
});

describe("incidents", () => {
  it("starts at the first failure of a run and ends at the next success; aborts change nothing", () => {
    const run = (status: DeliveryStatus, finished: number) => ({ status, finished });

    expect(incidents([run("failed", 1), run("aborted", 2), run("rolledBack", 3), run("succeeded", 5), run("failed", 8)])).toEqual([
      { start: 1, end: 5 },
      { start: 8 },
    ]);
  });
});

describe("median", () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("DORA bands (2023 report)", () => {
  it.each([
    [2, "elite"],
    [1, "elite"],
    [0.5, "high"],
    [1 / 7, "high"],
    [0.1, "medium"],
    [1 / 30, "medium"],
    [0.01, "low"],
  ] as const)("deploys per day %s → %s", (value, band) => {
    expect(deploymentFrequencyBand(value)).toBe(band);
  });

  it.each([
    [3600, "elite"],
    [86_400, "high"],
    [7 * 86_400, "medium"],
    [30 * 86_400, "low"],
  ] as const)("lead time %s s → %s", (value, band) => {
    expect(leadTimeBand(value)).toBe(band);
  });

  it.each([
    [0, "elite"],
    [0.05, "elite"],
    [0.1, "high"],
    [0.15, "medium"],
    [0.16, "low"],
  ] as const)("change failure rate %s → %s", (value, band) => {
    expect(changeFailureRateBand(value)).toBe(band);
  });

  it.each([
    [1800, "elite"],
    [3600, "high"],
    [86_400, "medium"],
    [7 * 86_400, "low"],
  ] as const)("time to restore %s s → %s", (value, band) => {
    expect(timeToRestoreBand(value)).toBe(band);
  });
});

describe("windowMs", () => {
  it.each([
    ["30d", thirtyDays],
    ["12h", 12 * 3_600_000],
    ["4w", 28 * day],
    ["366d", 366 * day],
    ["367d", undefined],
    ["0d", undefined],
    ["30", undefined],
    ["1y", undefined],
  ])("%s → %s", (window, expected) => {
    expect(windowMs(window)).toBe(expected);
  });
});
