/** The risk a release record keeps: the classification, its reasons and the plan it chose (`releaseRiskSchema`). */
import type { ReleaseRisk } from "../schemas";
import type { ReleaseRiskAssessment } from "./assessRelease";

export function riskRecord(assessment: ReleaseRiskAssessment, stepsFrom: "risk" | "request"): ReleaseRisk {
  const { level, score, reasons, plan, approvalTimeoutMinutes } = assessment;
  return {
    level,
    score,
    reasons: reasons.map((reason) => ({ ...reason })),
    plan: { level: plan.planLevel, why: stepsFrom === "request" ? `${level} risk; the request gave its own steps` : plan.why, approvalRequired: plan.approvalRequired, approvalTimeoutMinutes, stepsFrom },
  };
}
