/** A release's risk level and one contribution to it: which signal, what it saw, the points it adds. */

export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const RISK_SIGNAL_NAMES = ["preview", "image", "history", "supply-chain", "freeze-window", "ci"] as const;
export type RiskSignalName = (typeof RISK_SIGNAL_NAMES)[number];

export interface RiskReason {
  readonly signal: RiskSignalName;
  /** What the signal saw, with its numbers, for people. */
  readonly detail: string;
  readonly points: number;
  /** This reason alone makes the release `high`, whatever the score. */
  readonly forcesHigh?: true;
}
