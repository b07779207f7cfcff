/**
 * Rules for what may route traffic to a canary besides its weight: a header
 * match and a mirror share. The component, stack config and release steps all
 * check them here, so a value one layer accepts every router can render.
 * Each check returns `undefined` or a phrase starting "must".
 */

export const minMirrorPercent = 1;
export const maxMirrorPercent = 100;
export const maxHeaderNameLength = 64;
export const maxHeaderValueLength = 256;

/**
 * Letters, digits and inner '-': a subset of the HTTP token grammar that every
 * router matches alike (ingress-nginx drops names with '_' by default; Istio
 * wants lowercase keys, which the Istio router gives it).
 */
const headerNamePattern = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

/** Routing by `Host` would fight the route's own host match. */
const reservedHeaderNames: readonly string[] = ["host"];

/** Visible ASCII, inner spaces allowed: it goes verbatim into annotations, route specs and stack config. */
const headerValuePattern = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

export const headerNameRule = `must be an HTTP header name of letters, digits and inner '-', at most ${maxHeaderNameLength} characters`;
export const headerValueRule = `must be 1 to ${maxHeaderValueLength} visible ASCII characters (inner spaces allowed)`;
export const mirrorPercentRule = `must be an integer from ${minMirrorPercent} to ${maxMirrorPercent}`;

export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > maxHeaderNameLength || !headerNamePattern.test(name)) {
    return `${headerNameRule} (got ${JSON.stringify(name)})`;
  }
  return reservedHeaderNames.includes(name.toLowerCase()) ? `must not be ${JSON.stringify(name)}: the route already matches on it` : undefined;
}

export function headerValueProblem(value: string): string | undefined {
  return value.length > 0 && value.length <= maxHeaderValueLength && headerValuePattern.test(value)
    ? undefined
    : headerValueRule;
}

export function mirrorPercentProblem(percent: unknown): string | undefined {
  return typeof percent === "number" && Number.isInteger(percent) && percent >= minMirrorPercent && percent <= maxMirrorPercent
    ? undefined
    : `${mirrorPercentRule} (got ${JSON.stringify(percent) ?? String(percent)})`;
}
