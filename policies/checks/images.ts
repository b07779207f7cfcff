/** How container images are pinned, read with the one image grammar (`components/image.ts`). */
import { isPinnedByDigest, readImageReference } from "../../components/image";

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
