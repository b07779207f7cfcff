/** What the API shows of a release record: a summary for lists, the full view for one release. */
import type { RiskLevel } from "../../release/risk/reason";
import type { ReleaseCommand } from "../../release/stateMachine";
import type { AnalysisConfig, AnalysisRecord, Approval, Intent, Release, ReleaseRisk, ReleaseStatus, Step, SupplyChainRecord } from "../../release/schemas";

export interface ReleaseSummary {
  readonly id: string;
  readonly environment: string;
  readonly image: string;
  readonly previousImage: string;
  readonly commitSha: string | null;
  readonly status: ReleaseStatus;
  /** Index (0-based) of the current step; equals `stepCount` once every step has passed. */
  readonly step: number;
  readonly stepCount: number;
  /** Canary weight last set in stack config. */
  readonly weight: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly reason: string | null;
  readonly actor: string;
  /** The release's risk level; null when it was not classified. */
  readonly riskLevel: RiskLevel | null;
}

export interface ReleaseView extends ReleaseSummary {
  readonly steps: readonly Step[];
  readonly analysisConfig: AnalysisConfig;
  /** Every measurement so far, oldest first (`step` is 0-based). */
  readonly analysis: readonly AnalysisRecord[];
  /** A decided action not finished yet (pause, promote, abort, rollback). */
  readonly pending: Intent | null;
  readonly updatedAt: string;
  /** The risk classification, its reasons and the plan it chose; null when it was not classified. */
  readonly risk: ReleaseRisk | null;
  /** A high-risk release's approval: its expiry, and who decided; null when none was needed. */
  readonly approval: Approval | null;
  /** Its second approval, before promotion; null until every step has passed, or when none is needed. */
  readonly promotionApproval: Approval | null;
  /** The supply-chain verdict on the image (digest, signer, SBOM digest, builder); null when not verified. */
  readonly supplyChain: SupplyChainRecord | null;
  /** The commands the caller's token may send now (`permittedCommands`). */
  readonly actions: readonly ReleaseCommand[];
}

/** The 202 answer to a start. */
export interface StartedRelease {
  readonly id: string;
  readonly environment: string;
  readonly status: ReleaseStatus;
  readonly step: number;
  readonly weight: number;
}

export function releaseSummary(release: Release): ReleaseSummary {
  return {
    id: release.id,
    environment: release.environment,
    image: release.image,
    previousImage: release.previousImage,
    commitSha: release.commitSha ?? null,
    status: release.status,
    step: release.step,
    stepCount: release.steps.length,
    weight: release.weight,
    startedAt: release.startedAt,
    finishedAt: release.finishedAt,
    reason: release.reason,
    actor: release.actor,
    riskLevel: release.risk?.level ?? null,
  };
}

export function releaseView(release: Release, actions: readonly ReleaseCommand[]): ReleaseView {
  return {
    ...releaseSummary(release),
    steps: release.steps,
    analysisConfig: release.analysisConfig,
    analysis: release.analysis.map((record) => ({ ...record, value: finiteOrNull(record.value), threshold: finiteOrNull(record.threshold) })),
    pending: release.intent,
    updatedAt: release.updatedAt,
    risk: release.risk ?? null,
    approval: release.approval ?? null,
    promotionApproval: release.promotionApproval ?? null,
    supplyChain: release.supplyChain ?? null,
    actions,
  };
}

export function startedRelease(release: Release): StartedRelease {
  return { id: release.id, environment: release.environment, status: release.status, step: release.step, weight: release.weight };
}

/** JSON has no NaN or infinities; a record's `detail` keeps the number for people. */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
