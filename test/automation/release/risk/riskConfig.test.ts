import { describe, expect, it } from "vitest";
import { ReleaseValidationError } from "../../../../automation/release/errors";
import { DEFAULT_CRITICAL_RESOURCE_TYPES, parseRiskConfig } from "../../../../automation/release/risk/riskConfig";
import { loadRiskConfig } from "../../../../automation/release/risk/riskConfigFile";

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    parseRiskConfig(input);
  } catch (error) {
    if (error instanceof ReleaseValidationError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("risk config", () => {
  it("has documented defaults", () => {
    const config = parseRiskConfig({});

    expect(config).toMatchObject({ production: false, thresholds: { medium: 20, high: 50 }, staleAfterDays: 30, freezeWindows: [] });
    expect(config.weights.resourceReplaced).toBe(10);
    expect(config.criticalResourceTypes).toEqual(DEFAULT_CRITICAL_RESOURCE_TYPES);
    expect(config.plans.medium).toEqual({ weights: [5, 25, 50, 100], pauseSeconds: 300, approvalRequired: false });
  });

  it("names a bad weight", () => {
    expect(issuesOf({ weights: { majorVersion: -1 } })).toEqual([{ field: "weights.majorVersion", message: "must be at least 0" }]);
  });

  it("names an unknown field", () => {
    expect(issuesOf({ weights: { majorVersoin: 1 } })).toEqual([{ field: "weights.majorVersoin", message: "is not a known field" }]);
  });

  it("requires the high threshold above the medium one", () => {
    expect(issuesOf({ thresholds: { medium: 50, high: 50 } })).toEqual([{ field: "thresholds.high", message: "must be greater than `medium`" }]);
  });

  it("names a bad freeze window's time zone, time and days", () => {
    const window = { name: "friday", days: ["friday"], from: "12:00", to: "25:00", timeZone: "Mars/Olympus" };

    expect(issuesOf({ freezeWindows: [window] })).toEqual([
      { field: "freezeWindows[0].days[0]", message: 'must be one of "sun", "mon", "tue", "wed", "thu", "fri", "sat"' },
      { field: "freezeWindows[0].to", message: "must be a time of day as HH:MM (00:00 to 23:59)" },
      { field: "freezeWindows[0].timeZone", message: "must be an IANA time zone, e.g. `Europe/Berlin`" },
    ]);
  });

  it("refuses a freeze window that ends before it starts", () => {
    const window = { name: "night", days: ["fri"], from: "22:00", to: "02:00", timeZone: "UTC" };

    expect(issuesOf({ freezeWindows: [window] })).toEqual([
      { field: "freezeWindows[0].to", message: "must be later than `from` (split a window over midnight in two)" },
    ]);
  });

  it("names a plan weight that does not increase", () => {
    expect(issuesOf({ plans: { low: { weights: [50, 50], pauseSeconds: 60, approvalRequired: false } } })).toEqual([
      { field: "plans.low.weights[1]", message: "must be greater than the previous step's weight (50), got 50" },
    ]);
  });
});

describe("committed risk configs", () => {
  it("parse for staging and production", () => {
    expect(loadRiskConfig("staging").production).toBe(false);
    expect(loadRiskConfig("production")).toMatchObject({ production: true, plans: { high: { approvalRequired: true } } });
    expect(loadRiskConfig("production").freezeWindows.map((window) => window.name)).toEqual(["friday-afternoon"]);
  });

  it("default for an environment without a file", () => {
    expect(loadRiskConfig("qa")).toEqual(parseRiskConfig({}));
  });
});
