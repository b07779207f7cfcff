/**
 * The inputs of a release's risk classification, one type per signal. Every
 * signal but the preview is optional: a missing one adds no points and says so.
 */
import type { PreviewResult } from "../../engine/port";
import type { CiRiskSignals, Release } from "../schemas";

/**
 * What the engine's preview of the release returns (`StackEngine.preview`), passed as is. Classification
 * reads `steps` (URN → the last op of its resource-pre events, so a replacement's `create-replacement` /
 * `replace` / `delete-replaced` arrive as one entry); `changes` (the engine's `changeSummary`) is kept for display.
 */
export type PreviewSignal = Pick<PreviewResult, "changes" | "steps">;

/** The image the release would run against the one serving now. */
export interface ImageSignal {
  readonly current: string;
  readonly candidate: string;
  /** For a production release: whether staging has run the candidate's digest. Unknown when undefined. */
  readonly digestSeenInStaging?: boolean;
}

/** The fields of a release record the service's track record is computed from. */
export type HistoryRelease = Pick<Release, "status" | "startedAt" | "finishedAt">;

export const SUPPLY_CHAIN_VERDICTS = ["pass", "warn", "fail"] as const;
export type SupplyChainVerdict = (typeof SUPPLY_CHAIN_VERDICTS)[number];

/** What CI passes in the start request's `riskSignals` (`riskSignalsSchema`). */
export type CiSignals = CiRiskSignals;

export interface RiskSignals {
  readonly preview: PreviewSignal;
  readonly image?: ImageSignal;
  /** The environment's releases, any order. */
  readonly history: readonly HistoryRelease[];
  readonly supplyChain?: SupplyChainVerdict;
  readonly ci?: CiSignals;
}
