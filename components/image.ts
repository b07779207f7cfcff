/** Pure helpers for container image references (`registry/repo:tag@sha256:digest`). */

export interface ImageReference {
  /** Registry host and repository path, e.g. `ghcr.io/rollgate/sample-app`. */
  readonly repository: string;
  readonly tag?: string;
  /** `algorithm:hex`, e.g. `sha256:0123...`. */
  readonly digest?: string;
}

// A simplified form of the distribution reference grammar:
//   [host[:port]/]component(/component)*[:tag][@algorithm:hex]
const host = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)`;
const component = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const reference = new RegExp(
  String.raw`^(?<repository>${host}?${component}(?:/${component})*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}))?$`,
);

/** Parses an image reference; `undefined` when it is not one. */
export function parseImageReference(image: string): ImageReference | undefined {
  const groups = reference.exec(image)?.groups;
  if (groups?.repository === undefined || image.length > 512) {
    return undefined;
  }
  return {
    repository: groups.repository,
    ...(groups.tag !== undefined ? { tag: groups.tag } : {}),
    ...(groups.digest !== undefined ? { digest: groups.digest } : {}),
  };
}

export function isImageReference(image: string): boolean {
  return parseImageReference(image) !== undefined;
}

/**
 * A value for the `app.kubernetes.io/version` label: the tag, else the first
 * 12 hex digits of the digest, else `latest` (what an untagged pull means).
 */
export function imageVersion(image: string): string {
  const parsed = parseImageReference(image);
  if (parsed?.tag !== undefined) {
    const value = parsed.tag.slice(0, 63).replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
    return value.length > 0 ? value : "latest";
  }
  if (parsed?.digest !== undefined) {
    const [, hex = ""] = parsed.digest.split(":");
    return hex.slice(0, 12);
  }
  return "latest";
}
