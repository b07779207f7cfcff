/** Risk reasons from the supply-chain verdict, where there is one: `warn` adds points, `fail` forces `high`. */
import type { RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import type { SupplyChainVerdict } from "./signals";

export function supplyChainReasons(verdict: SupplyChainVerdict | undefined, config: RiskConfig): RiskReason[] {
  switch (verdict) {
    case undefined:
      return [{ signal: "supply-chain", detail: "no supply-chain verdict", points: 0 }];
    case "pass":
      return [{ signal: "supply-chain", detail: "supply-chain verdict: pass", points: 0 }];
    case "warn":
      return [{ signal: "supply-chain", detail: "supply-chain verdict: warn", points: config.weights.supplyChainWarn }];
    case "fail":
      return [{ signal: "supply-chain", detail: "supply-chain verdict: fail", points: 0, forcesHigh: true }];
  }
}
