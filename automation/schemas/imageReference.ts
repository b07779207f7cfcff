/**
 * OCI image references, following the grammar of
 * github.com/distribution/reference (`[domain[:port]/]path[:tag][@digest]`).
 * Pure functions, no zod: the schemas in `common.ts` build on them.
 */

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainAndPort = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const name = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

/** Whole-string pattern of an image reference (usable as a JSON Schema `pattern`). */
export const imageReferencePattern = `^(${name})(?::(${tag}))?(?:@(${digest}))?$`;

const imageReferenceRegExp = new RegExp(imageReferencePattern);

/** Longest repository name the grammar allows. */
export const maxImageNameLength = 255;

export interface ImageReference {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses an image reference, or returns `undefined` when it is malformed. */
export function parseImageReference(reference: string): ImageReference | undefined {
  const match = imageReferenceRegExp.exec(reference);
  if (!match?.[1] || match[1].length > maxImageNameLength) return undefined;
  return {
    name: match[1],
    ...(match[2] === undefined ? {} : { tag: match[2] }),
    ...(match[3] === undefined ? {} : { digest: match[3] }),
  };
}
