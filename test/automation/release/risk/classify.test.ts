import { describe, expect, it } from "vitest";
import { classifyRisk } from "../../../../automation/release/risk/classify";
import { parseRiskConfig } from "../../../../automation/release/risk/riskConfig";
import type { RiskSignals } from "../../../../automation/release/risk/signals";
import { CONFIG_MAP, DEPLOYMENT, finished, IMAGE_ONLY_PREVIEW, NOW, preview, SERVICE, successes, urn } from "./fixtures";

const staging = parseRiskConfig({});
const production = parseRiskConfig({
  production: true,
  freezeWindows: [{ name: "friday-afternoon", days: ["fri"], from: "12:00", to: "23:59", timeZone: "Europe/Berlin" }],
});

/** An image-only change by a service with a clean record: 1 point, `low`. */
const quiet: RiskSignals = {
  preview: IMAGE_ONLY_PREVIEW,
  image: { current: "ghcr.io/acme/web:1.4.2", candidate: "ghcr.io/acme/web:1.5.0" },
  history: successes(5),
};

function pointsOf(signals: RiskSignals, signal: string, config = staging) {
  return classifyRisk(signals, config, NOW)
    .reasons.filter((reason) => reason.signal === signal)
    .map(({ detail, points }) => ({ detail, points }));
}

describe("risk classification", () => {
  it("lists every signal's reason with its numbers for an image-only change by a healthy service", () => {
    const result = classifyRisk({ ...quiet, supplyChain: "pass", ci: { testsPassed: 120, testsFailed: 0 } }, staging, NOW);

    expect(result).toEqual({
      level: "low",
      score: 1,
      reasons: [
        { signal: "preview", detail: `1 resource(s) updated × 1 points (${DEPLOYMENT})`, points: 1 },
        { signal: "preview", detail: "only workloads are updated (an image-only change)", points: 0 },
        { signal: "image", detail: "ghcr.io/acme/web:1.4.2 → ghcr.io/acme/web:1.5.0: no major version change", points: 0 },
        { signal: "history", detail: "change-failure rate 0% (0 of 5 releases in 30 days)", points: 0 },
        { signal: "history", detail: "last successful release 2 day(s) ago", points: 0 },
        { signal: "supply-chain", detail: "supply-chain verdict: pass", points: 0 },
        { signal: "ci", detail: "0 test(s) failed, 120 passed", points: 0 },
      ],
    });
  });

  describe("preview", () => {
    it("adds points per created, updated, replaced and deleted resource", () => {
      const signals = {
        ...quiet,
        preview: preview({
          [urn(CONFIG_MAP, "a")]: "create",
          [urn(DEPLOYMENT, "web")]: "update",
          [urn(CONFIG_MAP, "b")]: "replace",
          [urn(CONFIG_MAP, "c")]: "delete",
        }),
      };

      expect(pointsOf(signals, "preview")).toEqual([
        { detail: `1 resource(s) created × 1 points (${CONFIG_MAP})`, points: 1 },
        { detail: `1 resource(s) updated × 1 points (${DEPLOYMENT})`, points: 1 },
        { detail: `1 resource(s) replaced × 10 points (${CONFIG_MAP})`, points: 10 },
        { detail: `1 resource(s) deleted × 10 points (${CONFIG_MAP})`, points: 10 },
      ]);
      expect(classifyRisk(signals, staging, NOW)).toMatchObject({ level: "medium", score: 22 });
    });

    it("forces high when a Service would be replaced, whatever the score", () => {
      const result = classifyRisk({ ...quiet, preview: preview({ [urn(SERVICE, "web")]: "replace" }) }, staging, NOW);

      expect(result.level).toBe("high");
      expect(result.score).toBe(10);
      expect(result.reasons).toContainEqual({
        signal: "preview",
        detail: `replaces ${SERVICE} ${urn(SERVICE, "web")}, a stateful or networking resource`,
        points: 0,
        forcesHigh: true,
      });
    });

    it("forces high when a PersistentVolumeClaim would be deleted", () => {
      const pvc = "kubernetes:core/v1:PersistentVolumeClaim";

      expect(classifyRisk({ ...quiet, preview: preview({ [urn(pvc, "data")]: "delete" }) }, staging, NOW).level).toBe("high");
    });

    it("counts a replacement reported as create-replacement once", () => {
      expect(pointsOf({ ...quiet, preview: preview({ [urn(CONFIG_MAP, "a")]: "create-replacement" }) }, "preview")).toEqual([
        { detail: `1 resource(s) replaced × 10 points (${CONFIG_MAP})`, points: 10 },
      ]);
    });

    it("says when nothing changes", () => {
      expect(pointsOf({ ...quiet, preview: preview({ [urn(DEPLOYMENT, "web")]: "same" }) }, "preview")).toEqual([
        { detail: "no resource changes", points: 0 },
      ]);
    });
  });

  describe("image", () => {
    it("adds points for a new major version and makes the release medium", () => {
      const signals = { ...quiet, image: { current: "ghcr.io/acme/web:v1.9.0", candidate: "ghcr.io/acme/web:v2.0.0" } };

      expect(pointsOf(signals, "image")).toEqual([{ detail: "new major version 1 → 2", points: 20 }]);
      expect(classifyRisk(signals, staging, NOW)).toMatchObject({ level: "medium", score: 21 });
    });

    it("adds points in production for a digest staging never ran", () => {
      const candidate = `ghcr.io/acme/web@sha256:${"a".repeat(64)}`;
      const signals = { ...quiet, image: { current: "ghcr.io/acme/web:1.4.2", candidate, digestSeenInStaging: false } };

      expect(pointsOf(signals, "image", production)).toEqual([{ detail: `${candidate} was never run in staging`, points: 30 }]);
      expect(pointsOf(signals, "image", staging)[0]?.points).toBe(0);
    });

    it("is high by score with a new major version never run in staging", () => {
      const signals = { ...quiet, image: { current: "ghcr.io/acme/web:1.0.0", candidate: "ghcr.io/acme/web:2.0.0", digestSeenInStaging: false } };

      expect(classifyRisk(signals, production, NOW)).toMatchObject({ level: "high", score: 51 });
    });
  });

  describe("history", () => {
    it("adds the change-failure rate times its weight", () => {
      const signals = { ...quiet, history: [...successes(2), finished("failed", 100), finished("rolledBack", 200)] };

      expect(pointsOf(signals, "history")).toEqual([
        { detail: "change-failure rate 50% (2 of 4 releases in 30 days)", points: 20 },
        { detail: "last successful release 2 day(s) ago", points: 0 },
      ]);
      expect(classifyRisk(signals, staging, NOW).level).toBe("medium");
    });

    it("adds points for a rollback in the last 24 hours", () => {
      const signals = { ...quiet, history: [finished("rolledBack", 3), ...successes(3)] };

      expect(pointsOf(signals, "history")).toContainEqual({ detail: "a release rolled back or failed in the last 24 h", points: 30 });
      expect(classifyRisk(signals, staging, NOW)).toMatchObject({ level: "medium", score: 1 + 10 + 30 }); // preview + 25 % change-failure rate + rollback
    });

    it("adds points when the last success is older than staleAfterDays", () => {
      const signals = { ...quiet, history: [finished("succeeded", 24 * 40)] };

      expect(pointsOf(signals, "history")).toEqual([{ detail: "last successful release 40 day(s) ago (more than 30)", points: 10 }]);
    });

    it("adds points when there never was a success", () => {
      expect(pointsOf({ ...quiet, history: [] }, "history")).toEqual([{ detail: "no successful release on record", points: 10 }]);
    });
  });

  describe("supply chain", () => {
    it("adds points for a warning", () => {
      expect(pointsOf({ ...quiet, supplyChain: "warn" }, "supply-chain")).toEqual([{ detail: "supply-chain verdict: warn", points: 15 }]);
    });

    it("forces high on a failed verdict", () => {
      expect(classifyRisk({ ...quiet, supplyChain: "fail" }, staging, NOW).level).toBe("high");
    });

    it("says when there is no verdict", () => {
      expect(pointsOf(quiet, "supply-chain")).toEqual([{ detail: "no supply-chain verdict", points: 0 }]);
    });
  });

  describe("freeze windows", () => {
    const fridayAfternoonInBerlin = new Date("2026-12-04T14:00:00Z");

    it("force high for a production release inside a window", () => {
      const result = classifyRisk(quiet, production, fridayAfternoonInBerlin);

      expect(result.level).toBe("high");
      expect(result.reasons).toContainEqual({
        signal: "freeze-window",
        detail: 'inside freeze window "friday-afternoon" (fri 12:00–23:59 Europe/Berlin); releasing needs approval',
        points: 0,
        forcesHigh: true,
      });
    });

    it("do not apply outside the window", () => {
      expect(classifyRisk(quiet, production, NOW).level).toBe("low");
    });

    it("do not apply to a non-production environment", () => {
      const stagingWithWindow = parseRiskConfig({ freezeWindows: production.freezeWindows });

      expect(classifyRisk(quiet, stagingWithWindow, fridayAfternoonInBerlin).level).toBe("low");
    });
  });

  describe("CI signals", () => {
    it("add points for failed tests, lost coverage and files changed", () => {
      const signals = { ...quiet, ci: { testsPassed: 98, testsFailed: 2, coverageDelta: -3.5, filesChanged: 250 } };

      expect(pointsOf(signals, "ci")).toEqual([
        { detail: "2 test(s) failed, 98 passed", points: 40 },
        { detail: "coverage changed by -3.5 percentage points", points: 7 },
        { detail: "250 file(s) changed", points: 15 },
      ]);
      expect(classifyRisk(signals, staging, NOW)).toMatchObject({ level: "high", score: 63 });
    });

    it("add nothing for gained coverage", () => {
      expect(pointsOf({ ...quiet, ci: { coverageDelta: 4 } }, "ci")).toEqual([{ detail: "coverage changed by 4 percentage points", points: 0 }]);
    });

    it("say when none were given", () => {
      expect(pointsOf(quiet, "ci")).toEqual([{ detail: "no CI signals given", points: 0 }]);
    });
  });

  describe("levels", () => {
    const scored = (filesChanged: number) => classifyRisk({ ...quiet, ci: { filesChanged } }, parseRiskConfig({ weights: { filesChangedPer100: 1 } }), NOW);

    it("is low below the medium threshold, medium from it, high from the high threshold", () => {
      expect(scored(1800)).toMatchObject({ score: 19, level: "low" });
      expect(scored(1900)).toMatchObject({ score: 20, level: "medium" });
      expect(scored(4800)).toMatchObject({ score: 49, level: "medium" });
      expect(scored(4900)).toMatchObject({ score: 50, level: "high" });
    });
  });
});
