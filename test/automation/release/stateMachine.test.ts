import { describe, expect, it } from "vitest";
import { IllegalTransitionError, SelfApprovalError } from "../../../automation/release/errors";
import { RELEASE_STATUSES, parseStartReleaseRequest, type Release, type ReleaseStatus } from "../../../automation/release/schemas";
import {
  RELEASE_COMMANDS,
  RESTART_ROLLBACK_REASON,
  TERMINAL_STATUSES,
  applyCommand,
  approvalExpired,
  awaitPromotionApproval,
  canTransition,
  createRelease,
  expireApproval,
  isActive,
  nextMove,
  pendingApproval,
  resumeDecision,
  transition,
} from "../../../automation/release/stateMachine";

const at = new Date("2026-03-01T10:00:00Z");

function release(overrides: Partial<Release> = {}): Release {
  const base = createRelease(parseStartReleaseRequest({ environment: "staging", image: "registry.example/web:1.1.0" }), {
    id: "rel-1",
    actor: "alice",
    previousImage: "registry.example/web:1.0.0",
    at: new Date("2026-03-01T09:00:00Z"),
  });
  return { ...base, ...overrides };
}

describe("status transitions", () => {
  it("allow exactly the life cycle's edges", () => {
    const allowed = RELEASE_STATUSES.flatMap((from) => RELEASE_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));

    expect(allowed).toEqual([
      "awaitingApproval→progressing",
      "awaitingApproval→aborted",
      "progressing→awaitingApproval",
      "progressing→paused",
      "progressing→succeeded",
      "progressing→rolledBack",
      "progressing→failed",
      "progressing→aborted",
      "paused→progressing",
    ]);
  });

  it("reject an illegal transition with a typed error", () => {
    const done = release({ status: "succeeded" });

    expect(() => transition(done, "progressing", { at })).toThrow(IllegalTransitionError);
    expect(() => transition(done, "progressing", { at })).toThrow("release `rel-1` is succeeded; cannot become progressing");
  });

  it("set the finish time on entering a final status and clear the intent", () => {
    const rolling = release({ intent: { action: "rollback", actor: "c", reason: "r", at: at.toISOString() } });

    expect(transition(rolling, "rolledBack", { at, reason: "analysis failed" })).toMatchObject({
      status: "rolledBack",
      finishedAt: at.toISOString(),
      reason: "analysis failed",
      intent: null,
    });
  });

  it("treat awaiting approval, progressing and paused as active, everything else as finished", () => {
    expect(RELEASE_STATUSES.filter(isActive)).toEqual(["awaitingApproval", "progressing", "paused"]);
    expect(TERMINAL_STATUSES).toEqual(["succeeded", "rolledBack", "failed", "aborted"]);
  });
});

describe("commands", () => {
  it("pause sets a pending pause on a progressing release", () => {
    expect(applyCommand(release(), "pause", "bob", at).intent).toEqual({ action: "pause", actor: "bob", reason: "paused by bob", at: at.toISOString() });
  });

  it("resume makes a paused release progress again with fresh extensions", () => {
    expect(applyCommand(release({ status: "paused", reason: "held", extensions: 2 }), "resume", "bob", at)).toMatchObject({
      status: "progressing",
      intent: null,
      reason: null,
      extensions: 0,
    });
  });

  it("resume cancels a pause that has not been reached", () => {
    const pausing = applyCommand(release(), "pause", "bob", at);
    expect(applyCommand(pausing, "resume", "bob", at).intent).toBeNull();
  });

  it("promote and abort from paused make the release progress with the intent", () => {
    expect(applyCommand(release({ status: "paused" }), "promote", "bob", at)).toMatchObject({ status: "progressing", intent: { action: "promote" } });
    expect(applyCommand(release({ status: "paused" }), "abort", "bob", at, "bad build")).toMatchObject({
      status: "progressing",
      intent: { action: "abort", reason: "bad build" },
    });
  });

  it("abort overrides a pending pause", () => {
    const pausing = applyCommand(release(), "pause", "bob", at);
    expect(applyCommand(pausing, "abort", "carol", at).intent).toMatchObject({ action: "abort", actor: "carol" });
  });

  it("that change nothing return the same record", () => {
    const paused = release({ status: "paused" });
    const aborting = applyCommand(release(), "abort", "bob", at);
    const progressing = release();

    expect(applyCommand(paused, "pause", "bob", at)).toBe(paused);
    expect(applyCommand(aborting, "abort", "carol", at)).toBe(aborting);
    expect(applyCommand(progressing, "resume", "bob", at)).toBe(progressing);
  });

  it("are all refused on a finished release", () => {
    for (const status of TERMINAL_STATUSES) {
      for (const command of RELEASE_COMMANDS) {
        expect(() => applyCommand(release({ status }), command, "bob", at)).toThrow(IllegalTransitionError);
      }
    }
  });

  it("cannot abort a promotion in progress", () => {
    const promoting = applyCommand(release(), "promote", "bob", at);
    expect(() => applyCommand(promoting, "abort", "carol", at)).toThrow("release `rel-1` is progressing; cannot abort: a promotion is in progress");
  });

  it("cannot promote, pause or resume a rollback in progress", () => {
    const rolling = release({ intent: { action: "rollback", actor: "c", reason: "r", at: at.toISOString() } });
    for (const command of ["promote", "pause", "resume"] as const) {
      expect(() => applyCommand(rolling, command, "bob", at)).toThrow(/a rollback is in progress/);
    }
  });
});

describe("next move", () => {
  const intent = (action: "pause" | "promote" | "abort" | "rollback") => ({ action, actor: "bob", reason: `${action} by bob`, at: at.toISOString() });

  it("runs the current step of a progressing release", () => {
    expect(nextMove(release({ step: 2 }))).toEqual({ kind: "step", step: 2 });
  });

  it("promotes once every step has passed", () => {
    expect(nextMove(release({ step: 4 }))).toEqual({ kind: "promote" });
  });

  it("carries out a pending intent first", () => {
    expect(nextMove(release({ intent: intent("abort") }))).toEqual({ kind: "rollback", final: "aborted", reason: "abort by bob" });
    expect(nextMove(release({ intent: intent("rollback") }))).toEqual({ kind: "rollback", final: "rolledBack", reason: "rollback by bob" });
    expect(nextMove(release({ intent: intent("promote") }))).toEqual({ kind: "promote" });
    expect(nextMove(release({ step: 4, intent: intent("pause") }))).toEqual({ kind: "hold", reason: "pause by bob" });
  });

  it("does nothing for paused or finished releases", () => {
    const stopped: ReleaseStatus[] = ["paused", ...TERMINAL_STATUSES];
    expect(stopped.map((status) => nextMove(release({ status })).kind)).toEqual(stopped.map(() => "stop"));
  });
});

describe("resume decision after a restart", () => {
  it("re-runs the current step by default", () => {
    expect(resumeDecision(release({ step: 1, weight: 25 }), "resume")).toEqual({ kind: "step", step: 1 });
  });

  it("rolls back a progressing release when configured to", () => {
    expect(resumeDecision(release({ step: 1 }), "rollback")).toEqual({ kind: "rollback", final: "rolledBack", reason: RESTART_ROLLBACK_REASON });
  });

  it("finishes a pending abort or promotion whatever the policy", () => {
    const aborting = applyCommand(release(), "abort", "bob", at);
    const promoting = applyCommand(release(), "promote", "bob", at);

    expect(resumeDecision(aborting, "rollback")).toMatchObject({ kind: "rollback", final: "aborted" });
    expect(resumeDecision(promoting, "rollback")).toEqual({ kind: "promote" });
  });

  it("leaves paused and finished releases alone", () => {
    expect(resumeDecision(release({ status: "paused" }), "rollback")).toEqual({ kind: "stop" });
    expect(resumeDecision(release({ status: "succeeded" }), "resume")).toEqual({ kind: "stop" });
  });
});

describe("approval (four eyes)", () => {
  const expiresAt = new Date("2026-03-01T13:00:00Z");
  const awaiting = (): Release =>
    createRelease(parseStartReleaseRequest({ environment: "production", image: "registry.example/web:2.0.0" }), {
      id: "rel-9",
      actor: "alice",
      previousImage: "registry.example/web:1.0.0",
      at: new Date("2026-03-01T09:00:00Z"),
      approvalExpiresAt: expiresAt,
    });

  it("starts a release that needs approval waiting for it, with its expiry, and waits as its next move", () => {
    const waiting = awaiting();

    expect(waiting).toMatchObject({ status: "awaitingApproval", approval: { expiresAt: expiresAt.toISOString() } });
    expect(waiting.reason).toMatch(/waiting for a second person's approval/);
    expect(nextMove(waiting)).toEqual({ kind: "awaitApproval", expiresAt: expiresAt.toISOString() });
  });

  it("refuses the starter's own approval with a 403-kind error naming four eyes", () => {
    expect(() => applyCommand(awaiting(), "approve", "alice", at)).toThrow(SelfApprovalError);
    expect(() => applyCommand(awaiting(), "approve", "alice", at)).toThrow(/started by `alice`; a second person must approve it/);
  });

  it("lets another person approve: the release progresses from its first step and records who approved", () => {
    const approved = applyCommand(awaiting(), "approve", "bob", at);

    expect(approved).toMatchObject({ status: "progressing", reason: null, approval: { decision: "approved", decidedBy: "bob", decidedAt: at.toISOString() } });
    expect(nextMove(approved)).toEqual({ kind: "step", step: 0 });
  });

  it("ends a rejected or aborted wait as aborted at once, with nothing to roll back", () => {
    expect(applyCommand(awaiting(), "reject", "bob", at)).toMatchObject({ status: "aborted", finishedAt: at.toISOString(), approval: { decision: "rejected", decidedBy: "bob" } });
    expect(applyCommand(awaiting(), "abort", "alice", at)).toMatchObject({ status: "aborted", reason: expect.stringMatching(/while waiting for approval; nothing was deployed/) });
  });

  it("takes no pause, resume or promote while waiting, and no approve or reject once progressing", () => {
    for (const command of ["pause", "resume", "promote"] as const) {
      expect(() => applyCommand(awaiting(), command, "bob", at)).toThrow(/waits for a second person's approval/);
    }
    expect(() => applyCommand(release(), "approve", "bob", at)).toThrow(/not waiting for approval/);
    expect(() => applyCommand(release(), "reject", "bob", at)).toThrow(/not waiting for approval/);
  });

  it("expires an unapproved wait at its expiry time, not before", () => {
    expect(approvalExpired(awaiting(), new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(approvalExpired(awaiting(), expiresAt)).toBe(true);
    expect(expireApproval(awaiting(), expiresAt, "rollgate-controller")).toMatchObject({ status: "aborted", reason: `not approved by ${expiresAt.toISOString()}; nothing was deployed` });
  });
});

describe("approval before promotion (the second gate of a release that needed approval)", () => {
  const risk = {
    level: "high" as const,
    score: 60,
    reasons: [],
    plan: { level: "high" as const, why: "high risk", approvalRequired: true, approvalTimeoutMinutes: 30, stepsFrom: "risk" as const },
  };
  const approvedToStart = (): Release => ({
    ...release({ environment: "production", step: 2, weight: 100, risk }),
    steps: [
      { weight: 50, pauseSeconds: 60 },
      { weight: 100, pauseSeconds: 60 },
    ],
    approval: { expiresAt: "2026-03-01T13:00:00.000Z", decision: "approved", decidedBy: "bob", decidedAt: "2026-03-01T09:05:00.000Z" },
  });
  const waiting = (): Release => awaitPromotionApproval(approvedToStart(), at);

  it("asks for it once every step has passed, and when someone asks to promote early, instead of promoting", () => {
    expect(nextMove(approvedToStart())).toEqual({ kind: "requestPromotionApproval" });
    const early = applyCommand({ ...approvedToStart(), step: 0, weight: 50 }, "promote", "alice", at);
    expect(nextMove(early)).toEqual({ kind: "requestPromotionApproval" });
    expect(nextMove({ ...approvedToStart(), approval: undefined })).toEqual({ kind: "promote" });
  });

  it("waits with the plan's approval time, the weight kept, and the reason naming it", () => {
    const held = waiting();

    expect(held).toMatchObject({ status: "awaitingApproval", weight: 100, intent: null, promotionApproval: { expiresAt: "2026-03-01T10:30:00.000Z" } });
    expect(held.reason).toBe("high risk: ready to promote at 100%; waiting for a second person's approval");
    expect(pendingApproval(held)).toEqual({ gate: "promotion", approval: { expiresAt: "2026-03-01T10:30:00.000Z" } });
    expect(nextMove(held)).toEqual({ kind: "awaitApproval", expiresAt: "2026-03-01T10:30:00.000Z" });
  });

  it("refuses the starter; another person's approval promotes, and the release is not asked again", () => {
    expect(() => applyCommand(waiting(), "approve", "alice", at)).toThrow(SelfApprovalError);
    const approved = applyCommand(waiting(), "approve", "carol", at);

    expect(approved).toMatchObject({
      status: "progressing",
      intent: { action: "promote", actor: "carol" },
      promotionApproval: { decision: "approved", decidedBy: "carol", decidedAt: at.toISOString() },
    });
    expect(nextMove(approved)).toEqual({ kind: "promote" });
  });

  it("rolls back (not ends at once) when rejected, aborted or expired: the canary is live", () => {
    const rejected = applyCommand(waiting(), "reject", "carol", at);
    expect(rejected).toMatchObject({ status: "progressing", intent: { action: "abort", actor: "carol" }, promotionApproval: { decision: "rejected" } });
    expect(nextMove(rejected)).toEqual({ kind: "rollback", final: "aborted", reason: "promotion rejected by carol; rolled back" });

    const aborted = applyCommand(waiting(), "abort", "alice", at);
    expect(nextMove(aborted)).toMatchObject({ kind: "rollback", final: "aborted", reason: expect.stringMatching(/waiting for promotion approval; rolled back/) });

    const expiry = new Date("2026-03-01T10:30:00.000Z");
    expect(approvalExpired(waiting(), new Date(expiry.getTime() - 1))).toBe(false);
    expect(approvalExpired(waiting(), expiry)).toBe(true);
    const expired = expireApproval(waiting(), expiry, "rollgate-controller");
    expect(expired).toMatchObject({ status: "progressing", intent: { action: "abort", actor: "rollgate-controller", reason: "promotion not approved by 2026-03-01T10:30:00.000Z; rolled back" } });
  });

  it("takes no pause, resume or promote while waiting to promote", () => {
    for (const command of ["pause", "resume", "promote"] as const) {
      expect(() => applyCommand(waiting(), command, "carol", at)).toThrow(/approval to promote/);
    }
  });
});
