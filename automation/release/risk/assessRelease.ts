/**
 * Gathers a release's risk signals and classifies it before anything changes:
 * the engine previews the change (leaving the stack's config as it was), the
 * environment's releases give the service's record, and the level picks the
 * plan (`planForRisk`). The caller decides what to do with a plan that needs
 * approval.
 */
import type { StackConfig, StackEngine } from "../../engine/port";
import { classifyRisk, type RiskClassification } from "./classify";
import { planForRisk, type RiskPlanDecision } from "./planForRisk";
import type { RiskConfig } from "./riskConfig";
import { serviceRecord } from "./serviceRecord";
import type { CiSignals, HistoryRelease, ImageSignal, SupplyChainVerdict } from "./signals";

export interface ReleaseRiskSources {
  readonly engine: Pick<StackEngine, "preview">;
  /** The environment's releases, any order. */
  readonly history: (environment: string) => Promise<readonly HistoryRelease[]>;
}

export interface ReleaseChange {
  readonly environment: string;
  readonly stack: string;
  /** The stack config the release's first update would set, previewed and not kept. */
  readonly config: StackConfig;
  readonly image?: ImageSignal;
  readonly supplyChain?: SupplyChainVerdict;
  readonly ci?: CiSignals;
}

export interface ReleaseRiskAssessment extends RiskClassification {
  readonly plan: RiskPlanDecision;
  /** How long a release that needs approval waits for it. */
  readonly approvalTimeoutMinutes: number;
}

export async function assessReleaseRisk(
  sources: ReleaseRiskSources,
  change: ReleaseChange,
  config: RiskConfig,
  now: Date,
): Promise<ReleaseRiskAssessment> {
  const [preview, history] = await Promise.all([sources.engine.preview(change.stack, change.config), sources.history(change.environment)]);
  const classification = classifyRisk(
    {
      preview,
      history,
      ...(change.image ? { image: change.image } : {}),
      ...(change.supplyChain ? { supplyChain: change.supplyChain } : {}),
      ...(change.ci ? { ci: change.ci } : {}),
    },
    config,
    now,
  );
  return {
    ...classification,
    plan: planForRisk(classification.level, serviceRecord(history, now), config),
    approvalTimeoutMinutes: config.approvalTimeoutMinutes,
  };
}
