/** Package URLs (github.com/package-url/purl-spec), as far as the SBOM policy needs them. */

export interface PackageUrl {
  /** `pkg:<type>/<namespace>/<name>` with percent-escapes decoded, e.g. `pkg:npm/@acme/lib`. */
  readonly name: string;
  readonly version?: string;
}

/** Splits `pkg:npm/%40acme/lib@1.2.3?arch=x#sub` into name and version; `undefined` when not a PURL. */
export function parsePackageUrl(text: string): PackageUrl | undefined {
  const withoutSuffixes = text.replace(/[?#].*$/, "");
  if (!/^pkg:[a-zA-Z][a-zA-Z0-9.+-]*\/./.test(withoutSuffixes)) return undefined;
  // The version follows the last `@` after the last `/`; an npm scope's `@` is escaped as %40 or sits before a `/`.
  const lastSlash = withoutSuffixes.lastIndexOf("/");
  const at = withoutSuffixes.indexOf("@", lastSlash);
  const name = decode(at === -1 ? withoutSuffixes : withoutSuffixes.slice(0, at));
  const version = at === -1 ? undefined : decode(withoutSuffixes.slice(at + 1));
  if (name === undefined) return undefined;
  return version === undefined || version === "" ? { name: normalizeType(name) } : { name: normalizeType(name), version };
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The spec makes the type case-insensitive; the rest stays as written. */
function normalizeType(name: string): string {
  const slash = name.indexOf("/");
  return name.slice(0, slash).toLowerCase() + name.slice(slash);
}
