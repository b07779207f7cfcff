/**
 * The controller's risk classifier: each environment's risk config
 * (`config/<environment>.json`), its release history from the release store,
 * and, for a production release of an image pinned by digest, whether staging
 * has promoted that digest.
 */
import { parseImageReference } from "../../../components/image";
import type { Clock } from "../../deps";
import type { StackEngine } from "../../engine/port";
import type { ReleaseStore } from "../store";
import { assessReleaseRisk, type ReleaseChange, type ReleaseRiskAssessment } from "./assessRelease";
import { loadRiskConfig, RISK_CONFIG_DIR } from "./riskConfigFile";

export interface ReleaseRiskAssessorDeps {
  readonly engine: Pick<StackEngine, "preview">;
  readonly store: Pick<ReleaseStore, "list">;
  readonly clock: Clock;
  readonly configDir?: string;
  /** The environment whose promoted digests a production release is checked against. */
  readonly stagingEnvironment?: string;
}

export function releaseRiskAssessor(deps: ReleaseRiskAssessorDeps): (change: ReleaseChange) => Promise<ReleaseRiskAssessment> {
  const history = (environment: string) => deps.store.list({ environment });
  return async (change) => {
    const config = loadRiskConfig(change.environment, deps.configDir ?? RISK_CONFIG_DIR);
    const digest = change.image && parseImageReference(change.image.candidate)?.digest;
    const image =
      change.image && config.production && digest !== undefined
        ? { ...change.image, digestSeenInStaging: await promotedInStaging(digest) }
        : change.image;
    return assessReleaseRisk({ engine: deps.engine, history }, { ...change, ...(image ? { image } : {}) }, config, deps.clock.now());
  };

  async function promotedInStaging(digest: string): Promise<boolean> {
    const staging = await history(deps.stagingEnvironment ?? "staging");
    return staging.some((release) => release.status === "succeeded" && parseImageReference(release.image)?.digest === digest);
  }
}
