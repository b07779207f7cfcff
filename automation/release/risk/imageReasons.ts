/** Risk reasons from the image change: a new major version; in production, a digest staging never ran. */
import { parseImageReference } from "../../../components/image";
import type { RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import type { ImageSignal } from "./signals";

export function imageReasons(image: ImageSignal | undefined, config: RiskConfig): RiskReason[] {
  if (image === undefined) return [{ signal: "image", detail: "no image change given", points: 0 }];
  const reasons: RiskReason[] = [];
  const from = majorVersion(image.current);
  const to = majorVersion(image.candidate);
  if (from !== undefined && to !== undefined && to > from) {
    reasons.push({ signal: "image", detail: `new major version ${from} → ${to}`, points: config.weights.majorVersion });
  }
  if (config.production && image.digestSeenInStaging === false) {
    reasons.push({ signal: "image", detail: `${image.candidate} was never run in staging`, points: config.weights.digestNotSeenInStaging });
  }
  return reasons.length > 0 ? reasons : [{ signal: "image", detail: `${image.current} → ${image.candidate}: no major version change`, points: 0 }];
}

/** The major version of a semver-like tag (`1.4.2`, `v2`, `3.0.0-rc.1`); undefined for other tags. */
export function majorVersion(image: string): number | undefined {
  const tag = parseImageReference(image)?.tag;
  const match = tag === undefined ? null : /^v?(\d+)(?:\.\d+){0,2}(?:[-+].*)?$/.exec(tag);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
