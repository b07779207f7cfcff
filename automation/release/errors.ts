/**
 * Typed errors of the release controller. The HTTP layer maps each class to
 * a status code in one place (conflict → 409, not found → 404, validation →
 * 400, illegal transition → 409); nothing here knows about HTTP.
 */

/** One problem with a request, named by its field path (`steps[1].weight`). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class ReleaseValidationError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((issue) => `\`${issue.field}\` ${issue.message}`).join("; "));
    this.name = "ReleaseValidationError";
  }
}

/** A release is already active (progressing or paused) in the environment. */
export class ReleaseConflictError extends Error {
  constructor(
    readonly environment: string,
    readonly activeReleaseId?: string,
  ) {
    super(
      activeReleaseId
        ? `environment \`${environment}\` already has an active release (${activeReleaseId}); promote or abort it first`
        : `a release is already starting in environment \`${environment}\``,
    );
    this.name = "ReleaseConflictError";
  }
}

export class ReleaseNotFoundError extends Error {
  constructor(readonly releaseId: string) {
    super(`release \`${releaseId}\` not found`);
    this.name = "ReleaseNotFoundError";
  }
}

/** A status change or command that the release's current state does not allow. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly releaseId: string,
    readonly from: string,
    /** What was attempted: a status (`succeeded`) or a command (`promote`). */
    readonly attempted: string,
    detail?: string,
  ) {
    super(`release \`${releaseId}\` is ${from}; cannot ${attempted}${detail ? `: ${detail}` : ""}`);
    this.name = "IllegalTransitionError";
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
