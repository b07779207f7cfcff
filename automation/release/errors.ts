/**
 * Typed errors of the release controller, in the service's one hierarchy
 * (`RollgateError` and its kinds): the HTTP layer maps kinds to status codes
 * in one place; nothing here knows about HTTP.
 */
import { ConflictError, ForbiddenError, NotFoundError, RollgateError } from "../errors";

/** One problem with a request, named by its field path (`steps[1].weight`). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class ReleaseValidationError extends RollgateError {
  override readonly kind = "invalid-request";

  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((issue) => `\`${issue.field}\` ${issue.message}`).join("; "));
  }
}

/** A release is already active (progressing or paused) in the environment. */
export class ReleaseConflictError extends ConflictError {
  constructor(
    readonly environment: string,
    readonly activeReleaseId?: string,
  ) {
    super(
      activeReleaseId
        ? `environment \`${environment}\` already has an active release (${activeReleaseId}); promote or abort it first`
        : `a release is already starting in environment \`${environment}\``,
    );
  }
}

export class ReleaseNotFoundError extends NotFoundError {
  constructor(readonly releaseId: string) {
    super(`release \`${releaseId}\` not found`);
  }
}

/** A status change or command that the release's current state does not allow. */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly releaseId: string,
    readonly from: string,
    /** What was attempted: a status (`succeeded`) or a command (`promote`). */
    readonly attempted: string,
    detail?: string,
  ) {
    super(`release \`${releaseId}\` is ${from}; cannot ${attempted}${detail ? `: ${detail}` : ""}`);
  }
}

/** Four eyes: the token that started a release cannot approve it. */
export class SelfApprovalError extends ForbiddenError {
  constructor(
    readonly releaseId: string,
    readonly actor: string,
  ) {
    super(`release \`${releaseId}\` was started by \`${actor}\`; a second person must approve it (four eyes)`);
  }
}

/** A stored record that does not match the release schema (never written by this code: writes are atomic). */
export class CorruptReleaseRecordError extends Error {
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`release record ${location} is unreadable: ${detail}`);
    this.name = "CorruptReleaseRecordError";
  }
}
