/** Risk reasons from the service's record: change-failure rate, a recent rollback, time since the last success. */
import type { RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import { daysBetween, RECENT_ROLLBACK_HOURS, RECORD_WINDOW_DAYS, type ServiceRecord } from "./serviceRecord";

export function historyReasons(record: ServiceRecord, config: RiskConfig, now: Date): RiskReason[] {
  const { weights } = config;
  const reasons: RiskReason[] = [];
  if (record.changeFailureRate !== undefined) {
    const percent = Math.round(record.changeFailureRate * 100);
    reasons.push({
      signal: "history",
      detail: `change-failure rate ${percent}% (${record.failedInWindow} of ${record.finishedInWindow} releases in ${RECORD_WINDOW_DAYS} days)`,
      points: Math.round(record.changeFailureRate * weights.changeFailureRate),
    });
  }
  if (record.rollbackInLast24h) {
    reasons.push({ signal: "history", detail: `a release rolled back or failed in the last ${RECENT_ROLLBACK_HOURS} h`, points: weights.rollbackInLast24h });
  }
  if (record.lastSuccessAt === undefined) {
    reasons.push({ signal: "history", detail: "no successful release on record", points: weights.staleRecord });
  } else {
    const days = daysBetween(record.lastSuccessAt, now);
    const stale = days > config.staleAfterDays;
    reasons.push({
      signal: "history",
      detail: `last successful release ${days} day(s) ago${stale ? ` (more than ${config.staleAfterDays})` : ""}`,
      points: stale ? weights.staleRecord : 0,
    });
  }
  return reasons;
}
