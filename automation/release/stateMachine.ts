/**
 * The release's life cycle as pure functions: which status changes are
 * legal, what a human command does to a record, and what the controller
 * does next for a record — including after a restart.
 *
 *   awaitingApproval ──► progressing | aborted           (approve / reject, abort or expiry)
 *   progressing ──► paused ──► progressing            (hold / resume)
 *   progressing ──► awaitingApproval ──► progressing  (a high-risk release's promotion: approved, or rolled back)
 *   progressing ──► succeeded | rolledBack | aborted | failed
 *
 * A decided but unfinished action (pause, promote, abort, rollback) is kept
 * as the record's `intent`, so a restarted controller finishes it.
 */
import { IllegalTransitionError, SelfApprovalError } from "./errors";
import type { Approval, Intent, IntentAction, Release, ReleaseRisk, ReleaseStatus, StartReleaseRequest, SupplyChainRecord } from "./schemas";
import { planSteps } from "./steps";

export const TERMINAL_STATUSES: readonly ReleaseStatus[] = ["succeeded", "rolledBack", "failed", "aborted"];

const TRANSITIONS: Readonly<Record<ReleaseStatus, readonly ReleaseStatus[]>> = {
  // Before the first weight nothing is deployed, so an aborted wait needs no rollback; before promotion it goes
  // back through progressing to roll back.
  awaitingApproval: ["progressing", "aborted"],
  progressing: ["paused", "awaitingApproval", "succeeded", "rolledBack", "aborted", "failed"],
  // Any command that makes the controller act again (resume, promote, abort) goes through progressing.
  paused: ["progressing"],
  succeeded: [],
  rolledBack: [],
  failed: [],
  aborted: [],
};

export function isTerminal(status: ReleaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Awaiting approval, progressing or paused: the environment's one release in flight. */
export function isActive(status: ReleaseStatus): boolean {
  return !isTerminal(status);
}

export function canTransition(from: ReleaseStatus, to: ReleaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The record in a new status; throws `IllegalTransitionError` for a change the life cycle does not allow. */
export function transition(release: Release, to: ReleaseStatus, change: { readonly at: Date; readonly reason?: string | null }): Release {
  if (!canTransition(release.status, to)) throw new IllegalTransitionError(release.id, release.status, `become ${to}`);
  const at = change.at.toISOString();
  const settled = isTerminal(to) || to === "paused" || to === "awaitingApproval";
  return {
    ...release,
    status: to,
    reason: change.reason === undefined ? release.reason : change.reason,
    intent: settled ? null : release.intent,
    updatedAt: at,
    finishedAt: isTerminal(to) ? at : null,
  };
}

/** A new release record, progressing at its first step with no canary traffic yet. */
export function createRelease(
  request: StartReleaseRequest,
  context: {
    readonly id: string;
    readonly actor: string;
    readonly previousImage: string;
    readonly at: Date;
    readonly risk?: ReleaseRisk;
    /** When set, the release waits for a second person's approval until then. */
    readonly approvalExpiresAt?: Date;
    readonly supplyChain?: SupplyChainRecord;
  },
): Release {
  const at = context.at.toISOString();
  const awaiting = context.approvalExpiresAt !== undefined;
  return {
    id: context.id,
    environment: request.environment,
    image: request.image,
    previousImage: context.previousImage,
    ...(request.commitSha === undefined ? {} : { commitSha: request.commitSha }),
    ...(request.commitTime === undefined ? {} : { commitTime: request.commitTime }),
    status: awaiting ? "awaitingApproval" : "progressing",
    step: 0,
    weight: 0,
    steps: request.steps ?? planSteps(),
    analysisConfig: request.analysis,
    analysis: [],
    extensions: 0,
    intent: null,
    startedAt: at,
    updatedAt: at,
    finishedAt: null,
    reason: awaiting ? `${context.risk?.level ?? "high"} risk: waiting for a second person's approval` : null,
    actor: context.actor,
    ...(context.risk === undefined ? {} : { risk: context.risk }),
    ...(context.approvalExpiresAt === undefined ? {} : { approval: { expiresAt: context.approvalExpiresAt.toISOString() } }),
    ...(context.supplyChain === undefined ? {} : { supplyChain: context.supplyChain }),
  };
}

export const RELEASE_COMMANDS = ["pause", "resume", "promote", "abort", "approve", "reject"] as const;
export type ReleaseCommand = (typeof RELEASE_COMMANDS)[number];

/**
 * What a human command does to the record:
 *
 * - `pause`: hold before the next weight raise (or promotion). Already paused: no change.
 * - `resume`: a paused release progresses again; a pending pause is cancelled.
 * - `promote`: skip the remaining steps and promote.
 * - `abort`: roll back now. Repeating it while rolling back changes nothing.
 *
 * - `approve`: a release awaiting approval progresses (or, before promotion, promotes); not by the token that
 *   started it (four eyes).
 * - `reject`: a release awaiting approval ends `aborted`: before its first weight nothing was deployed; before
 *   promotion it is rolled back first.
 *
 * Finished releases accept no command; once a promotion has begun it cannot
 * be aborted (stable may already run the new image), and a rollback in
 * progress cannot be promoted, paused or resumed. A release awaiting
 * approval takes only approve, reject and abort.
 */
export function applyCommand(release: Release, command: ReleaseCommand, actor: string, at: Date, reason?: string): Release {
  const refuse = (detail: string) => new IllegalTransitionError(release.id, release.status, command, detail);
  if (isTerminal(release.status)) throw refuse("the release has finished");
  if (release.status === "awaitingApproval") return decideApproval(release, command, actor, at, reason);
  if (command === "approve" || command === "reject") throw refuse("the release is not waiting for approval");

  const pending = release.intent?.action;
  if (pending === "abort" || pending === "rollback") {
    if (command === "abort") return release;
    throw refuse("a rollback is in progress");
  }
  if (pending === "promote") {
    if (command === "promote") return release;
    throw refuse("a promotion is in progress");
  }

  const intent = (action: IntentAction, why: string): Intent => ({ action, actor, reason: reason ?? why, at: at.toISOString() });
  const progressing = release.status === "paused" ? transition(release, "progressing", { at, reason: null }) : release;
  switch (command) {
    case "pause":
      if (release.status === "paused" || pending === "pause") return release;
      return { ...release, intent: intent("pause", `paused by ${actor}`), updatedAt: at.toISOString() };
    case "resume":
      if (release.status === "progressing" && pending !== "pause") return release;
      // A resumed step gets its inconclusive-analysis extensions afresh.
      return { ...progressing, intent: null, extensions: 0, updatedAt: at.toISOString() };
    case "promote":
      return { ...progressing, intent: intent("promote", `promoted by ${actor}`), updatedAt: at.toISOString() };
    case "abort":
      return { ...progressing, intent: intent("abort", `aborted by ${actor}`), updatedAt: at.toISOString() };
  }
}

function decideApproval(release: Release, command: ReleaseCommand, actor: string, at: Date, reason?: string): Release {
  const pending = pendingApproval(release);
  const decided = (decision: "approved" | "rejected"): Approval => ({
    expiresAt: pending?.approval.expiresAt ?? at.toISOString(),
    decision,
    decidedBy: actor,
    decidedAt: at.toISOString(),
  });
  if (pending?.gate === "promotion") return decidePromotion(release, command, actor, at, reason, decided);
  switch (command) {
    case "approve":
      if (actor === release.actor) throw new SelfApprovalError(release.id, release.actor);
      return { ...transition(release, "progressing", { at, reason: null }), approval: decided("approved") };
    case "reject":
      return { ...transition(release, "aborted", { at, reason: reason ?? `rejected by ${actor}; nothing was deployed` }), approval: decided("rejected") };
    case "abort":
      return transition(release, "aborted", { at, reason: reason ?? `aborted by ${actor} while waiting for approval; nothing was deployed` });
    default:
      throw new IllegalTransitionError(release.id, release.status, command, "it waits for a second person's approval (approve or reject it)");
  }
}

/** The second approval: approved, the release promotes; rejected or aborted, it rolls back and ends `aborted`. */
function decidePromotion(
  release: Release,
  command: ReleaseCommand,
  actor: string,
  at: Date,
  reason: string | undefined,
  decided: (decision: "approved" | "rejected") => Approval,
): Release {
  switch (command) {
    case "approve": {
      if (actor === release.actor) throw new SelfApprovalError(release.id, release.actor);
      const promote: Intent = { action: "promote", actor, reason: reason ?? `promotion approved by ${actor}`, at: at.toISOString() };
      return { ...transition(release, "progressing", { at, reason: null }), intent: promote, promotionApproval: decided("approved") };
    }
    case "reject":
      return { ...rollBackUnpromoted(release, at, actor, reason ?? `promotion rejected by ${actor}; rolled back`), promotionApproval: decided("rejected") };
    case "abort":
      return rollBackUnpromoted(release, at, actor, reason ?? `aborted by ${actor} while waiting for promotion approval; rolled back`);
    default:
      throw new IllegalTransitionError(release.id, release.status, command, "it waits for a second person's approval to promote (approve or reject it)");
  }
}

/** Unapproved at `at` past its expiry: the release ends `aborted` (rolled back first when it waits to be promoted). */
export function approvalExpired(release: Release, at: Date): boolean {
  const pending = pendingApproval(release);
  return pending !== undefined && at.getTime() >= Date.parse(pending.approval.expiresAt);
}

/** `actor` is recorded as rolling back a release whose promotion was not approved in time. */
export function expireApproval(release: Release, at: Date, actor: string): Release {
  const pending = pendingApproval(release);
  const expiresAt = pending?.approval.expiresAt ?? at.toISOString();
  if (pending?.gate === "promotion") return rollBackUnpromoted(release, at, actor, `promotion not approved by ${expiresAt}; rolled back`);
  return transition(release, "aborted", { at, reason: `not approved by ${expiresAt}; nothing was deployed` });
}

export type ApprovalGate = "start" | "promotion";

/** The approval a release awaiting one waits for: before its first weight, or before promotion. */
export function pendingApproval(release: Release): { readonly gate: ApprovalGate; readonly approval: Approval } | undefined {
  if (release.status !== "awaitingApproval") return undefined;
  if (release.promotionApproval && release.promotionApproval.decision === undefined) return { gate: "promotion", approval: release.promotionApproval };
  return release.approval ? { gate: "start", approval: release.approval } : undefined;
}

/** A release that needed a second person to start needs one to promote, too, until someone has approved it. */
export function needsPromotionApproval(release: Release): boolean {
  return release.approval !== undefined && release.promotionApproval?.decision !== "approved";
}

/** How long an approval of this release waits; records from before the setting carry the default. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 240;

/** Every step has passed (or a promotion was asked for): the release waits for a second person before promoting. */
export function awaitPromotionApproval(release: Release, at: Date): Release {
  const minutes = release.risk?.plan.approvalTimeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES;
  const reason = `${release.risk?.level ?? "high"} risk: ready to promote at ${release.weight}%; waiting for a second person's approval`;
  return {
    ...transition(release, "awaitingApproval", { at, reason }),
    promotionApproval: { expiresAt: new Date(at.getTime() + minutes * 60_000).toISOString() },
  };
}

/** A release waiting to be promoted that will not be: back to progressing, to roll back and end `aborted`. */
function rollBackUnpromoted(release: Release, at: Date, actor: string, reason: string): Release {
  return {
    ...transition(release, "progressing", { at, reason: null }),
    intent: { action: "abort", actor, reason, at: at.toISOString() },
  };
}

/** The controller's next move for a record. */
export type Move =
  /** Run the step: reach its weight (idempotently), hold it for the pause, analyse, decide. */
  | { readonly kind: "step"; readonly step: number }
  | { readonly kind: "promote" }
  /** Traffic back to stable, remove the canary, finish as `final`. */
  | { readonly kind: "rollback"; readonly final: "rolledBack" | "aborted"; readonly reason: string }
  /** Become paused and wait for a human. */
  | { readonly kind: "hold"; readonly reason: string }
  /** Wait for a second person's approval until `expiresAt` (then end `aborted`). */
  | { readonly kind: "awaitApproval"; readonly expiresAt: string }
  /** Every step passed on a plan that needs approval: start waiting for it before promoting. */
  | { readonly kind: "requestPromotionApproval" }
  /** Nothing to do: finished, or paused. */
  | { readonly kind: "stop" };

export function nextMove(release: Release): Move {
  const pending = pendingApproval(release);
  if (pending) return { kind: "awaitApproval", expiresAt: pending.approval.expiresAt };
  if (release.status !== "progressing") return { kind: "stop" };
  const promote: Move = needsPromotionApproval(release) ? { kind: "requestPromotionApproval" } : { kind: "promote" };
  const intent = release.intent;
  switch (intent?.action) {
    case "abort":
      return { kind: "rollback", final: "aborted", reason: intent.reason };
    case "rollback":
      return { kind: "rollback", final: "rolledBack", reason: intent.reason };
    case "promote":
      return promote;
    case "pause":
      return { kind: "hold", reason: intent.reason };
    case undefined:
      return release.step >= release.steps.length ? promote : { kind: "step", step: release.step };
  }
}

export type RestartPolicy = "resume" | "rollback";

export const RESTART_ROLLBACK_REASON = "the controller restarted during the release and is configured to roll back";

/**
 * What to do with a record found after a restart. Unfinished intents are
 * completed; a progressing release either re-runs its current step (its
 * weight is re-applied and verified, then paused and analysed afresh) or,
 * with `onRestart: "rollback"`, rolls back. Paused and finished releases stay.
 */
export function resumeDecision(release: Release, onRestart: RestartPolicy): Move {
  if (release.status === "progressing" && release.intent === null && onRestart === "rollback") {
    return { kind: "rollback", final: "rolledBack", reason: RESTART_ROLLBACK_REASON };
  }
  return nextMove(release);
}
