/** How container images are pinned, read with the one image grammar (`components/image.ts`). */
import { isPinnedByDigest, parseImageReference, readImageReference } from "../../components/image";

export interface ImagePinning {
  /** Require an `@sha256:` digest (production). */
  readonly requireDigest: boolean;
}

/**
 * Problems with how `image` is pinned, phrased to follow "image `x` …".
 * A digest pins the image whatever its tag says.
 */
export function imagePinningProblems(image: string, options: ImagePinning): string[] {
  const reading = readImageReference(image);
  if ("problem" in reading) return [reading.problem];
  const { reference } = reading;
  if (isPinnedByDigest(reference)) return [];
  const problems: string[] = [];
  if (reference.tag === undefined) {
    problems.push("must be pinned to a tag or digest (an untagged image means :latest)");
  } else if (reference.tag.toLowerCase() === "latest") {
    problems.push("must not use the :latest tag");
  }
  if (options.requireDigest) {
    problems.push("must be pinned by digest (@sha256:…) in this environment");
  }
  return problems;
}

/**
 * Problems with a workload whose images must have passed the supply-chain gate:
 * every container's image pinned by the digest in `verifiedDigest` (the
 * workload's `rollgate.dev/verified-digest` annotation), phrased to follow
 * "container `x` …" or to stand alone.
 */
export function unverifiedImageProblems(
  containers: readonly { readonly label: string; readonly image: string | undefined }[],
  verifiedDigest: string | undefined,
  annotation: string,
): string[] {
  if (verifiedDigest === undefined) {
    return [`annotation ${annotation} is missing: no image of this workload passed the supply-chain gate (a release with a trust policy stamps it)`];
  }
  return containers.flatMap(({ label, image }) => {
    const digest = image === undefined ? undefined : parseImageReference(image)?.digest;
    if (digest === verifiedDigest) return [];
    const found = digest === undefined ? "is not pinned by digest" : `is pinned to ${digest}`;
    return [`${label} image ${image ?? "(none)"} ${found}, not the verified ${verifiedDigest}`];
  });
}
