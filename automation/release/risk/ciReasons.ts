/** Risk reasons from what CI passed in `riskSignals`: failed tests, lost coverage, files changed. */
import type { RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import type { CiSignals } from "./signals";

export function ciReasons(ci: CiSignals | undefined, config: RiskConfig): RiskReason[] {
  if (ci === undefined) return [{ signal: "ci", detail: "no CI signals given", points: 0 }];
  const { weights } = config;
  const reasons: RiskReason[] = [];
  if (ci.testsFailed !== undefined) {
    const passed = ci.testsPassed === undefined ? "" : `, ${ci.testsPassed} passed`;
    reasons.push({ signal: "ci", detail: `${ci.testsFailed} test(s) failed${passed}`, points: ci.testsFailed > 0 ? weights.testsFailed : 0 });
  }
  if (ci.coverageDelta !== undefined) {
    const lost = Math.max(0, -ci.coverageDelta);
    reasons.push({ signal: "ci", detail: `coverage changed by ${ci.coverageDelta} percentage points`, points: Math.round(lost * weights.coverageDropPerPoint) });
  }
  if (ci.filesChanged !== undefined) {
    const hundreds = Math.ceil(ci.filesChanged / 100);
    reasons.push({ signal: "ci", detail: `${ci.filesChanged} file(s) changed`, points: hundreds * weights.filesChangedPer100 });
  }
  return reasons;
}
