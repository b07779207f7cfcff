/**
 * Pure naming for preview environments. Every name built here is a valid
 * DNS label (RFC 1123: at most 63 characters of `[a-z0-9-]`, starting and
 * ending with a letter or digit) whatever branch name it comes from, is the
 * same for the same inputs, and differs between pull requests.
 */

export const maxDnsLabelLength = 63;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Length of the random suffix of preview namespaces. */
export const suffixLength = 6;
/** Largest PR number accepted (GitHub and GitLab numbers stay far below). */
export const maxPrNumber = 999_999_999;

export function isDnsLabel(value: string): boolean {
  return value.length <= maxDnsLabelLength && dnsLabel.test(value);
}

/** `undefined` when `pr` is a pull request number, else a phrase starting "must". */
export function prProblem(pr: unknown): string | undefined {
  return typeof pr === "number" && Number.isInteger(pr) && pr >= 1 && pr <= maxPrNumber
    ? undefined
    : `must be a pull request number, an integer from 1 to ${maxPrNumber} (got ${String(pr)})`;
}

function assertPr(pr: number): void {
  const problem = prProblem(pr);
  if (problem !== undefined) {
    throw new RangeError(`\`pr\` ${problem}`);
  }
}

/**
 * A DNS-label fragment from free text (a branch name): accents folded,
 * lower-cased, every run of other characters turned into one `-`, trimmed to
 * `maxLength` without leading or trailing `-`. May be empty (e.g. for `"🚀"`).
 */
export function slugify(text: string, maxLength: number = maxDnsLabelLength): string {
  const folded = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  const slug = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return slug.slice(0, Math.max(0, maxLength)).replace(/-+$/, "");
}

/**
 * Namespace of a preview: `pr-<n>-<branch slug>-<suffix>`, the branch slug
 * shortened (or dropped) to fit 63 characters. The `pr-<n>-` prefix keeps
 * names of different PRs apart; the random suffix keeps a re-created preview
 * from colliding with one still being deleted.
 */
export function previewNamespaceName(pr: number, branch: string, suffix: string): string {
  assertPr(pr);
  if (!/^[a-z0-9]{1,8}$/.test(suffix)) {
    throw new RangeError(`\`suffix\` must be 1 to 8 characters of [a-z0-9] (got "${suffix}")`);
  }
  const prefix = `pr-${pr}-`;
  const room = maxDnsLabelLength - prefix.length - suffix.length - 1;
  const slug = slugify(branch, room);
  return slug.length > 0 ? `${prefix}${slug}-${suffix}` : `${prefix}${suffix}`;
}

/** Public host name of a preview: `pr-<n>.<previewDomain>`. */
export function previewHostname(pr: number, previewDomain: string): string {
  assertPr(pr);
  return `pr-${pr}.${previewDomain.replace(/^\.+|\.+$/g, "").toLowerCase()}`;
}

/** Prefix of every preview stack's name. */
export const previewStackPrefix = "preview-pr-";

/** The Pulumi stack of a preview: `preview-pr-<n>`. */
export function previewStackName(pr: number): string {
  assertPr(pr);
  return `${previewStackPrefix}${pr}`;
}
