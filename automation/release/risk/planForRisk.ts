/**
 * The step plan of a classified release. `low`, `medium` and `high` each have
 * a plan in the environment's config (`high` with a second person's approval
 * by default). Graduated trust: a service whose last
 * `trustAfterConsecutiveSuccesses` releases in 30 days all succeeded, with no
 * rollback or failure in the window, gets the `low` plan for a `medium`
 * release. `high` is never lowered.
 */
import { planSteps, type WeightStep } from "../steps";
import type { RiskLevel } from "./reason";
import type { RiskConfig } from "./riskConfig";
import type { ServiceRecord } from "./serviceRecord";

export interface RiskPlanDecision {
  /** The level whose plan is used: the classified one, or `low` when trust lowered `medium`. */
  readonly planLevel: RiskLevel;
  readonly steps: readonly WeightStep[];
  readonly approvalRequired: boolean;
  /** Why this plan, for people. */
  readonly why: string;
}

export function planForRisk(level: RiskLevel, record: ServiceRecord, config: RiskConfig): RiskPlanDecision {
  const trusted = level === "medium" && isTrusted(record, config);
  const planLevel: RiskLevel = trusted ? "low" : level;
  const plan = config.plans[planLevel];
  const why = trusted
    ? `${level} risk, lowered to the low plan: ${record.consecutiveSuccesses} successful releases in a row in 30 days, none rolled back`
    : `${level} risk: the ${planLevel} plan`;
  return { planLevel, steps: planSteps(plan.weights, plan.pauseSeconds), approvalRequired: plan.approvalRequired, why };
}

function isTrusted(record: ServiceRecord, config: RiskConfig): boolean {
  return !record.rollbackInWindow && record.consecutiveSuccesses >= config.trustAfterConsecutiveSuccesses;
}
