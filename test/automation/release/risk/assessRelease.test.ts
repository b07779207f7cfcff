/** assessReleaseRisk with a recording engine: what it previews, and how the record picks the plan. */
import { describe, expect, it } from "vitest";
import type { StackConfig } from "../../../../automation/engine/port";
import { assessReleaseRisk } from "../../../../automation/release/risk/assessRelease";
import { parseRiskConfig } from "../../../../automation/release/risk/riskConfig";
import type { HistoryRelease } from "../../../../automation/release/risk/signals";
import { finished, IMAGE_ONLY_PREVIEW, NOW, successes } from "./fixtures";

const staging = parseRiskConfig({});
const majorBump = { current: "registry.local/web:1.4.0", candidate: "registry.local/web:2.0.0" };

function assess(history: readonly HistoryRelease[]) {
  const previewed: { stack: string; config: StackConfig }[] = [];
  const engine = {
    preview: (stack: string, config: StackConfig) => {
      previewed.push({ stack, config });
      return Promise.resolve(IMAGE_ONLY_PREVIEW);
    },
  };
  const change = { environment: "staging", stack: "staging", config: { "rollgate:canaryImage": { value: majorBump.candidate } }, image: majorBump };
  return { previewed, risk: assessReleaseRisk({ engine, history: () => Promise.resolve(history) }, change, staging, NOW) };
}

describe("assessReleaseRisk", () => {
  it("previews the release's config on its stack", async () => {
    const { previewed, risk } = assess([]);
    await risk;

    expect(previewed).toEqual([{ stack: "staging", config: { "rollgate:canaryImage": { value: "registry.local/web:2.0.0" } } }]);
  });

  it("gives a medium release (a major version) the medium plan without a record", async () => {
    const { risk } = assess([]);

    expect(await risk).toMatchObject({ level: "medium", plan: { planLevel: "medium", approvalRequired: false } });
  });

  it("lowers a medium release to the low plan after enough successes in a row", async () => {
    const { risk } = assess(successes(staging.trustAfterConsecutiveSuccesses));

    const { level, plan } = await risk;
    expect(level).toBe("medium");
    expect(plan.planLevel).toBe("low");
    expect(plan.why).toMatch(/successful releases in a row/);
  });

  it("takes the earned trust back after a rollback", async () => {
    const { risk } = assess([finished("rolledBack", 30), ...successes(staging.trustAfterConsecutiveSuccesses, 72)]);

    expect((await risk).plan.planLevel).not.toBe("low");
  });
});
