/**
 * Who may do what with releases. Mutating an environment's release needs
 * `releases:<environment>`, approving or rejecting one `approve:<environment>`; reading needs `releases:read` or the
 * environment's own scope (`*` and `releases:*` grant everything).
 */
import { ForbiddenError } from "../../errors";
import { hasScope, type Principal } from "../auth/tokens";

/** The scope that lets a token read every environment's releases. */
export const RELEASES_READ_SCOPE = "releases:read";

/** The scope that lets a token start and steer releases in `environment`. */
export function releaseScope(environment: string): string {
  return `releases:${environment}`;
}

export function authorizeRelease(principal: Principal, environment: string): void {
  const scope = releaseScope(environment);
  if (!hasScope(principal, scope)) throw new ForbiddenError(`this token lacks the \`${scope}\` scope`);
}

/** The scope that lets a token approve or reject a release awaiting approval in `environment`. */
export function approvalScope(environment: string): string {
  return `approve:${environment}`;
}

export function authorizeApproval(principal: Principal, environment: string): void {
  const scope = approvalScope(environment);
  if (!hasScope(principal, scope)) throw new ForbiddenError(`this token lacks the \`${scope}\` scope`);
}

export function canReadReleases(principal: Principal, environment: string): boolean {
  return hasScope(principal, RELEASES_READ_SCOPE) || hasScope(principal, releaseScope(environment));
}

export function authorizeReleaseRead(principal: Principal, environment: string): void {
  if (!canReadReleases(principal, environment)) {
    throw new ForbiddenError(`this token lacks the \`${RELEASES_READ_SCOPE}\` or \`${releaseScope(environment)}\` scope`);
  }
}

/**
 * The environments a token may list: `"all"`, or the ones it has a
 * `releases:<environment>` scope for. Throws when it may read none.
 */
export function readableEnvironments(principal: Principal): "all" | ReadonlySet<string> {
  if (hasScope(principal, RELEASES_READ_SCOPE)) return "all";
  const prefix = "releases:";
  const environments = new Set(principal.scopes.filter((scope) => scope.startsWith(prefix)).map((scope) => scope.slice(prefix.length)));
  if (environments.size === 0) {
    throw new ForbiddenError(`this token lacks the \`${RELEASES_READ_SCOPE}\` scope (or a \`releases:<environment>\` scope)`);
  }
  return environments;
}
