/**
 * The one grammar of container image references, shared by the program, the
 * policy pack and the service: github.com/distribution/reference, i.e.
 * `[host[:port]/]path[:tag][@sha256:<hex>]`, with the digest narrowed to the
 * only form the policies and registries here accept.
 */

export interface ImageReference {
  /** Registry and path as written, e.g. `ghcr.io/rollgate/sample-app` (what `docker images` calls the repository). */
  readonly repository: string;
  /** `host[:port]` when the first path component names one, e.g. `localhost:5000`; Docker Hub when absent. */
  readonly registry?: string;
  /** The repository without its registry, e.g. `rollgate/sample-app`. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:<64 lowercase hex digits>`. */
  readonly digest?: string;
}

const maxRepositoryLength = 255;
const maxTagLength = 128;

const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const tag = `[\\w][\\w.-]{0,${maxTagLength - 1}}`;
const digest = "sha256:[a-f0-9]{64}";
const repository = `(?:${host}/)?${pathComponent}(?:/${pathComponent})*`;
// The lookahead bounds the repository's length; a tag cannot contain `/`, so only one split of the text fits it.
const repositoryLength = `(?=[^@]{1,${maxRepositoryLength}}(?::${tag})?(?:@${digest})?$)`;

/** The whole grammar as one ECMAScript pattern (also the OpenAPI `pattern` of image fields). */
export const imageReferencePattern = `^${repositoryLength}(${repository})(?::(${tag}))?(?:@(${digest}))?$`;

const imageReferenceRegExp = new RegExp(imageReferencePattern);
const digestRegExp = new RegExp(`^${digest}$`);

/** Whether `text` is an image digest (`sha256:` and 64 lowercase hex digits), as a reference's `@` part. */
export function isImageDigest(text: string): boolean {
  return digestRegExp.test(text);
}
const longestReference = maxRepositoryLength + 1 + maxTagLength + 1 + "sha256:".length + 64;

/** Parses an image reference; `undefined` when it is not one (`imageReferenceProblem` says why). */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = text.length <= longestReference ? imageReferenceRegExp.exec(text) : null;
  const [, name, tagPart, digestPart] = match ?? [];
  if (name === undefined) return undefined;
  const { registry, path } = splitRegistry(name);
  return {
    repository: name,
    ...(registry === undefined ? {} : { registry }),
    path,
    ...(tagPart === undefined ? {} : { tag: tagPart }),
    ...(digestPart === undefined ? {} : { digest: digestPart }),
  };
}

export function isImageReference(text: string): boolean {
  return parseImageReference(text) !== undefined;
}

/** A digest pins the content whatever the tag says. */
export function isPinnedByDigest(reference: ImageReference): boolean {
  return reference.digest !== undefined;
}

// distribution/reference's rule: the first component is a registry when it could not be a Docker Hub namespace.
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf("/");
  const first = name.slice(0, slash);
  const isRegistry = slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
  return isRegistry ? { registry: first, path: name.slice(slash + 1) } : { path: name };
}

/** The reference, or what is wrong with `text` as one. */
export type ImageReferenceReading = { readonly reference: ImageReference } | { readonly problem: string };

export function readImageReference(text: string): ImageReferenceReading {
  const reference = parseImageReference(text);
  return reference === undefined ? { problem: diagnose(text) } : { reference };
}

/**
 * What is wrong with `text` as an image reference, phrased to follow
 * "image `x` …"; `undefined` when it is one.
 */
export function imageReferenceProblem(text: string): string | undefined {
  return isImageReference(text) ? undefined : diagnose(text);
}

// Only called on text the pattern refused: names the first part that breaks the grammar.
function diagnose(text: string): string {
  if (text === "") return "must not be empty";
  if (text.length > longestReference) return `must be at most ${longestReference} characters long`;
  const at = text.indexOf("@");
  const named = at === -1 ? text : text.slice(0, at);
  if (at !== -1 && !whole(digest).test(text.slice(at + 1))) {
    return "must use a digest of the form @sha256:<64 lowercase hex digits>";
  }
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  if (hasTag && !whole(tag).test(named.slice(colon + 1))) {
    return `must have a tag of 1-${maxTagLength} letters, digits, '_', '.' or '-' after ':', not starting with '.' or '-'`;
  }
  return repositoryProblem(hasTag ? named.slice(0, colon) : named) ?? "must be an OCI image reference such as ghcr.io/acme/app:1.2.3";
}

function repositoryProblem(name: string): string | undefined {
  if (name === "") return "must name a repository, e.g. ghcr.io/acme/app";
  if (name.length > maxRepositoryLength) return `must have a repository name of at most ${maxRepositoryLength} characters`;
  const { registry, path } = splitRegistry(name);
  if (registry !== undefined && !whole(host).test(registry) && !whole(pathComponent).test(registry)) {
    return `must have a registry of the form host[:port] (got "${registry}")`;
  }
  const badComponent = path.split("/").find((component) => !whole(pathComponent).test(component));
  if (badComponent === undefined) return undefined;
  return `must have a repository path of lowercase letters and digits joined by '/', '.', '_', '__' or '-' (got "${badComponent}")`;
}

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
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
