/** Container image references: `[registry/]repository[:tag][@sha256:<hex>]`. */

export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  /** The digest as written after `@`, e.g. `sha256:ab…`. */
  readonly digest?: string;
}

const sha256Digest = /^sha256:[a-f0-9]{64}$/;

export function parseImage(image: string): ImageReference {
  const at = image.indexOf("@");
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  // A colon after the last slash separates the tag; one before it is a registry port.
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  return {
    repository: hasTag ? named.slice(0, colon) : named,
    ...(hasTag ? { tag: named.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest }),
  };
}

export interface ImagePinning {
  /** Require an `@sha256:` digest (production). */
  readonly requireDigest: boolean;
}

/**
 * Problems with how `image` is pinned, phrased to follow "image `x` …".
 * A valid digest pins the image whatever its tag says.
 */
export function imagePinningProblems(image: string, options: ImagePinning): string[] {
  const ref = parseImage(image);
  if (ref.digest !== undefined) {
    return sha256Digest.test(ref.digest) ? [] : ["must use a digest of the form @sha256:<64 lowercase hex digits>"];
  }
  const problems: string[] = [];
  if (ref.tag === undefined || ref.tag === "") {
    problems.push("must be pinned to a tag or digest (an untagged image means :latest)");
  } else if (ref.tag.toLowerCase() === "latest") {
    problems.push("must not use the :latest tag");
  }
  if (options.requireDigest) {
    problems.push("must be pinned by digest (@sha256:…) in this environment");
  }
  return problems;
}
