/**
 * Who may do what with releases. Mutating an environment's release needs
 * `releases:<environment>`, approving or rejecting one `approve:<environment>`; reading needs `releases:read` or the
 * environment's own scope (`*` and `releases:*` grant everything).
 */
import { ForbiddenError } from "../../errors";
import type { Release } from "../../release/schemas";
import { RELEASE_COMMANDS, applyCommand, type ReleaseCommand } from "../../release/stateMachine";
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

/** The scope a command on a release in `environment` needs. */
export function commandScope(command: ReleaseCommand, environment: string): string {
  return command === "approve" || command === "reject" ? approvalScope(environment) : releaseScope(environment);
}

/**
 * The commands `principal` may send to `release` now and that would change it: the token holds the scope, and the
 * life cycle allows the command from this caller (so never the starter's own approval). The dashboard offers these.
 */
export function permittedCommands(principal: Principal, release: Release, at: Date): ReleaseCommand[] {
  return RELEASE_COMMANDS.filter((command) => {
    if (!hasScope(principal, commandScope(command, release.environment))) return false;
    try {
      return applyCommand(release, command, principal.name, at) !== release;
    } catch {
      return false;
    }
  });
}
