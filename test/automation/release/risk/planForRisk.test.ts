import { describe, expect, it } from "vitest";
import { planForRisk } from "../../../../automation/release/risk/planForRisk";
import { parseRiskConfig } from "../../../../automation/release/risk/riskConfig";
import { serviceRecord } from "../../../../automation/release/risk/serviceRecord";
import { finished, NOW, successes } from "./fixtures";

const config = parseRiskConfig({ trustAfterConsecutiveSuccesses: 5 });
const newService = serviceRecord([], NOW);
const trustedService = serviceRecord(successes(5), NOW);

function weightsOf(decision: ReturnType<typeof planForRisk>): number[] {
  return decision.steps.map((step) => step.weight);
}

describe("plans by risk", () => {
  it("gives low risk the short plan", () => {
    const decision = planForRisk("low", newService, config);

    expect(weightsOf(decision)).toEqual([25, 100]);
    expect(decision.steps[0]?.pauseSeconds).toBe(120);
    expect(decision.approvalRequired).toBe(false);
  });

  it("gives medium risk the standard 5 → 25 → 50 → 100", () => {
    const decision = planForRisk("medium", newService, config);

    expect(weightsOf(decision)).toEqual([5, 25, 50, 100]);
    expect(decision).toMatchObject({ planLevel: "medium", approvalRequired: false, why: "medium risk: the medium plan" });
  });

  it("gives high risk a slower plan with longer pauses and a required approval", () => {
    const decision = planForRisk("high", trustedService, config);

    expect(weightsOf(decision)).toEqual([1, 5, 10, 25, 50, 100]);
    expect(decision.steps[0]?.pauseSeconds).toBe(900);
    expect(decision.approvalRequired).toBe(true);
  });
});

describe("graduated trust", () => {
  it("lowers medium to the short plan after 5 successes in a row in 30 days", () => {
    const decision = planForRisk("medium", trustedService, config);

    expect(weightsOf(decision)).toEqual([25, 100]);
    expect(decision.why).toBe("medium risk, lowered to the low plan: 5 successful releases in a row in 30 days, none rolled back");
  });

  it("is not earned with one success too few", () => {
    expect(planForRisk("medium", serviceRecord(successes(4), NOW), config).planLevel).toBe("medium");
  });

  it("is lost by a rollback in the window, even before the streak", () => {
    const record = serviceRecord([...successes(5), finished("rolledBack", 24 * 20)], NOW);

    expect(planForRisk("medium", record, config).planLevel).toBe("medium");
  });

  it("does not count successes older than 30 days", () => {
    const record = serviceRecord(successes(5, 24 * 27), NOW);

    expect(planForRisk("medium", record, config).planLevel).toBe("medium");
  });

  it("never lowers high", () => {
    expect(planForRisk("high", serviceRecord(successes(20), NOW), config).planLevel).toBe("high");
  });
});
