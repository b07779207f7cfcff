/**
 * Classifies a release as `low`, `medium` or `high` risk before anything
 * changes. Pure: signals, the environment's config and the time in; the level,
 * the score and every contributing reason out. The score sets the level by
 * the config's thresholds; a forcing reason (a critical resource replaced or
 * deleted, a failed supply-chain verdict, a production freeze window) makes it
 * `high` whatever the score.
 */
import { ciReasons } from "./ciReasons";
import { activeFreezeWindow } from "./freezeWindows";
import { historyReasons } from "./historyReasons";
import { imageReasons } from "./imageReasons";
import { previewReasons } from "./previewReasons";
import type { RiskLevel, RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import { serviceRecord } from "./serviceRecord";
import type { RiskSignals } from "./signals";
import { supplyChainReasons } from "./supplyChainReasons";

export interface RiskClassification {
  readonly level: RiskLevel;
  readonly score: number;
  readonly reasons: readonly RiskReason[];
}

export function classifyRisk(signals: RiskSignals, config: RiskConfig, now: Date): RiskClassification {
  const reasons = [
    ...previewReasons(signals.preview, config),
    ...imageReasons(signals.image, config),
    ...historyReasons(serviceRecord(signals.history, now), config, now),
    ...supplyChainReasons(signals.supplyChain, config),
    ...freezeReasons(config, now),
    ...ciReasons(signals.ci, config),
  ];
  const score = reasons.reduce((sum, reason) => sum + reason.points, 0);
  return { level: levelOf(score, reasons, config), score, reasons };
}

function levelOf(score: number, reasons: readonly RiskReason[], config: RiskConfig): RiskLevel {
  if (reasons.some((reason) => reason.forcesHigh) || score >= config.thresholds.high) return "high";
  return score >= config.thresholds.medium ? "medium" : "low";
}

function freezeReasons(config: RiskConfig, now: Date): RiskReason[] {
  if (!config.production) return [];
  const window = activeFreezeWindow(config.freezeWindows, now);
  if (window === undefined) return [];
  const when = `${window.days.join(", ")} ${window.from}–${window.to} ${window.timeZone}`;
  return [{ signal: "freeze-window", detail: `inside freeze window "${window.name}" (${when}); releasing needs approval`, points: 0, forcesHigh: true }];
}
