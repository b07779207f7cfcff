/** Risk config directories for tests that release to production. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RISK_CONFIG_DIR } from "../../automation/release/risk/riskConfigFile";

/**
 * A directory holding the committed production risk config without its freeze window (for
 * `ROLLGATE_RISK_CONFIG_DIR`): on a Friday afternoon in Berlin the window makes every production release wait for a
 * second person (riskApproval.test.ts covers approval), which tests of other things do not script. The caller removes it.
 */
export function productionRiskWithoutFreeze(): string {
  const dir = mkdtempSync(join(tmpdir(), "rg-e2e-risk-"));
  const committed = JSON.parse(readFileSync(join(RISK_CONFIG_DIR, "production.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "production.json"), JSON.stringify({ ...committed, freezeWindows: [] }));
  return dir;
}
