/**
 * The canary release controller: drives one release per environment through
 * its steps — deploy the canary without traffic, raise the weight, verify it
 * on the live router, hold it, analyse it, decide — and promotes or rolls
 * back. It is a loop over `nextMove` (stateMachine.ts); every decision is a
 * pure function, and every side effect (stack updates, cluster reads,
 * metrics, persistence, notifications, time) goes through an injected port.
 *
 * Stack config: `canaryImage` and `canaryWeight` are set for the canary;
 * promotion sets `stableImage`. The canary is removed by setting
 * `canaryImage` to "" (the engine port has no "unset"); a failed release
 * never touches `stableImage`. With `settings.deployedBy`, every update also
 * sets `releaseId` (this release's id) and `deployedBy`, so the canary and
 * the stable Deployment carry the release's provenance from the first update
 * on, and a promotion's update (stable takes the new image) passes a policy
 * that only lets allowed deployers change stable. After a rollback the
 * stable Deployment keeps the failed release's id: the program stamps one id
 * on both tracks.
 */
import { randomUUID } from "node:crypto";
import type { StackConfig, StackEngine } from "../engine/port";
import { buildChecks, buildTrafficGate } from "./analysis/checks";
import type { MetricProvider } from "./analysis/provider";
import { runAnalysis, type AnalysisResult } from "./analysis/run";
import { silentLogger, systemClock, type Clock, type Logger, type LogLevel } from "../deps";
import { errorKindOf, errorSummary, ServiceUnavailableError } from "../errors";
import { LeaseLostError } from "../store/leases";
import { IllegalTransitionError, ReleaseConflictError, ReleaseNotFoundError, ReleaseValidationError } from "./errors";
import {
  type ClusterProbe,
  type HeldReleaseLease,
  type Notifier,
  type ReleaseCommands,
  type ReleaseEvent,
  type ReleaseEventType,
  type ReleaseLeases,
  type WeightChange,
} from "./ports";
import {
  controllerSettingsSchema,
  fieldIssues,
  type AnalysisRecord,
  type ControllerSettings,
  type ControllerSettingsInput,
  type IntentAction,
  type Release,
  type StartReleaseRequest,
  type SupplyChainRecord,
} from "./schemas";
import { SupplyChainRefusedError, type ImageGate } from "../supplyChain/imageGate";
import type { Verdict } from "../supplyChain/verdict";
import {
  applyCommand,
  approvalExpired,
  awaitPromotionApproval,
  createRelease,
  expireApproval,
  isActive,
  isTerminal,
  nextMove,
  resumeDecision,
  transition,
  type Move,
  type ReleaseCommand,
} from "./stateMachine";
import { measurementPlan, nextAction, planSteps, type NextAction, type PlannedStep } from "./steps";
import type { ReleaseChange, ReleaseRiskAssessment } from "./risk/assessRelease";
import { riskRecord } from "./risk/riskRecord";
import { baselineCapabilityIssues, describeStep, routingConfig, stepCapabilityIssues, stepRouting } from "./stepRouting";
import type { RouterCapabilities } from "../../components/trafficSplit/capabilities";
import { LiveWeightReadError } from "../../components/trafficSplit/routers/definition";
import { defaultRouterKind, isRouterKind, routerDefinitions } from "../../components/trafficSplit/routers/registry";
import type { ReleaseStore } from "./store";

/** Actor recorded for the controller's own decisions. */
export const CONTROLLER_ACTOR = "rollgate-controller";

export interface ReleaseControllerDeps {
  readonly engine: StackEngine;
  readonly store: ReleaseStore;
  readonly metrics: MetricProvider;
  readonly cluster: ClusterProbe;
  readonly logger?: Logger;
  readonly notifier?: Notifier;
  readonly clock?: Clock;
  readonly settings?: ControllerSettingsInput;
  /** The stack of an environment; defaults to the environment's name. */
  readonly stackFor?: (environment: string) => string;
  /**
   * URNs a weight-only update is limited to (the router's resources, plus the
   * canary Deployment when `change.scaleCanary`); the whole stack when undefined.
   */
  readonly routerTargets?: (environment: string, change: WeightChange) => readonly string[] | undefined;
  readonly newId?: () => string;
  /**
   * Coordination between replicas: only the holder of a release's lease
   * drives it, and commands reach it through the command queue. Without it
   * the controller assumes it is the only one (unit tests).
   */
  readonly coordination?: { readonly leases: ReleaseLeases; readonly commands: ReleaseCommands };
  /** How long a command sent to a replica that does not drive the release waits to be applied (default 5 s). */
  readonly commandWaitMs?: number;
  /** Verifies the image before a release starts (`supplyChain/imageGate.ts`); without it images are not verified. */
  readonly imageGate?: ImageGate;
  /** Classifies each release before it starts (`release/risk/`); without it releases carry no risk and use their steps or the default plan. */
  readonly risk?: (change: ReleaseChange) => Promise<ReleaseRiskAssessment>;
}

/** A release this process is tracking, with its loop's state. */
interface Run {
  release: Release;
  /** Aborted by `abort`/`promote` commands and by `close`, to cut a pause or analysis short. */
  interrupt: AbortController;
  /** True from launch until the loop decides to stop (set synchronously with that decision). */
  driving: boolean;
  loop: Promise<void>;
  saves: Promise<void>;
  /** This replica's lease on the release (with coordination). */
  readonly held?: HeldReleaseLease;
  /** The lease was lost: the run stops and writes nothing more. */
  lost: boolean;
  /** Commands from the queue, applied one at a time. */
  intake: Promise<void>;
}

/** `unreadable`: the probe failed in a way asking again cannot fix (a non-retryable `LiveWeightReadError`). */
type WaitOutcome = { readonly status: "ok" | "deadline" | "interrupted" | "unreadable"; readonly observed: unknown };

export class ReleaseController {
  private readonly runs = new Map<string, Run>();
  private readonly starting = new Set<string>();
  private readonly settings: ControllerSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private closing = false;

  constructor(private readonly deps: ReleaseControllerDeps) {
    const parsed = controllerSettingsSchema.safeParse(deps.settings ?? {});
    if (!parsed.success) {
      throw new TypeError(fieldIssues(parsed.error).map((issue) => `\`settings.${issue.field}\` ${issue.message}`).join("; "));
    }
    this.settings = parsed.data;
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
  }

  // ------------------------------------------------------------ public API

  /**
   * Starts a release and returns its first record; the release then runs in
   * the background (follow it with `get` or `whenSettled`). Throws
   * `ReleaseConflictError` if the environment already has an active release.
   */
  async start(request: StartReleaseRequest, actor: string): Promise<Release> {
    const { environment } = request;
    if (this.closing) throw new Error("the release controller is shutting down");
    const tracked = this.activeRunIn(environment);
    if (tracked || this.starting.has(environment)) throw new ReleaseConflictError(environment, tracked?.release.id);
    this.starting.add(environment);
    // Between replicas: the check below, the risk preview and the create happen under one claim, so a release
    // that starts and ends while another replica previews cannot let a second one in.
    const claim = await this.deps.coordination?.leases.tryClaimStart(environment);
    try {
      if (this.deps.coordination && !claim) throw new ReleaseConflictError(environment);
      const active = await this.deps.store.active(environment);
      if (active) throw new ReleaseConflictError(environment, active.id);
      const config = await this.deps.engine.config(this.stackFor(environment));
      const previousImage = this.stableImage(environment, config);
      if (request.steps) this.refuseUnsupportedSteps(request.steps, config);
      const noBaseline = baselineCapabilityIssues(request.analysis.compareTo, this.routerOf(config));
      if (noBaseline.length > 0) throw new ReleaseValidationError(noBaseline);
      if (previousImage === request.image) {
        throw new ReleaseValidationError([{ field: "image", message: `is already the stable image of \`${environment}\`` }]);
      }
      const id = this.newId();
      const verdict = await this.verifyImage(request, { id, previousImage, actor });
      const risk = await this.assessRisk(request, id, previousImage, verdict);
      const plan = request.steps ?? [...(risk?.plan.steps ?? planSteps())];
      if (!request.steps) this.refuseUnsupportedSteps(plan, config);
      const now = this.clock.now();
      // Four eyes do not depend on who wrote the steps: a high-risk change waits for approval either way.
      const approvalExpiresAt = risk?.plan.approvalRequired ? new Date(now.getTime() + risk.approvalTimeoutMinutes * 60_000) : undefined;
      const release = createRelease(
        { ...request, steps: plan },
        {
          id,
          actor,
          previousImage,
          at: now,
          ...(risk ? { risk: riskRecord(risk, request.steps ? "request" : "risk") } : {}),
          ...(approvalExpiresAt ? { approvalExpiresAt } : {}),
          ...(verdict ? { supplyChain: supplyChainRecord(verdict) } : {}),
        },
      );
      const held = await this.deps.coordination?.leases.tryHold(release.id);
      if (this.deps.coordination && !held) throw new Error(`could not take the lease of the new release ${release.id}`);
      try {
        // The store's constraint, not the check above, decides between replicas starting at once.
        await this.deps.store.create(release, held?.ref);
      } catch (error) {
        await held?.release();
        throw error;
      }
      const run = this.track(release, held);
      const steps = release.steps.map((_step, index) => describeStep(release.steps, index));
      this.log("info", run, { image: release.image, previousImage, steps, actor, risk: release.risk?.level, plan: release.risk?.plan.why }, "release started");
      await this.notify(run, "release.started", actor);
      this.launch(run);
      return run.release;
    } finally {
      await claim?.release();
      this.starting.delete(environment);
    }
  }

  /** Refused before anything is created: a step the router cannot do would fail mid-release. */
  private refuseUnsupportedSteps(steps: readonly PlannedStep[], config: Readonly<Record<string, string>>): void {
    const unsupported = stepCapabilityIssues(steps, this.routerOf(config));
    if (unsupported.length > 0) throw new ReleaseValidationError(unsupported);
  }

  /**
   * The supply-chain gate: the image's verdict for the environment (none without a trust policy). A refused image is
   * recorded in the audit trail (`release.refused`) and the start fails with a 422 naming every finding; nothing is
   * created. An unreachable registry fails the start with a 503.
   */
  private async verifyImage(
    request: StartReleaseRequest,
    attempt: { readonly id: string; readonly previousImage: string; readonly actor: string },
  ): Promise<Verdict | undefined> {
    const verdict = await this.deps.imageGate?.verify(request.environment, request.image);
    if (!verdict || verdict.verified) return verdict;
    const reason = verdict.findings.join("; ");
    this.logger.warn({ releaseId: attempt.id, environment: request.environment, image: request.image, findings: verdict.findings }, "image refused by the supply-chain gate");
    await this.deps.notifier
      ?.notify({
        type: "release.refused",
        releaseId: attempt.id,
        environment: request.environment,
        image: request.image,
        previousImage: attempt.previousImage,
        status: "refused",
        step: 0,
        stepCount: 0,
        weight: 0,
        reason,
        actor: attempt.actor,
        at: this.clock.now().toISOString(),
      })
      .catch((error: unknown) => this.logger.warn({ releaseId: attempt.id, error: describe(error) }, "notification failed"));
    throw new SupplyChainRefusedError(request.environment, request.image, verdict);
  }

  /**
   * Classifies the release from a preview of its first update (config not
   * kept). A preview that fails for a reason of the change itself (a
   * mandatory policy, a program error) refuses the release: its first update
   * would fail the same way.
   */
  private async assessRisk(request: StartReleaseRequest, id: string, previousImage: string, verdict: Verdict | undefined): Promise<ReleaseRiskAssessment | undefined> {
    if (!this.deps.risk) return undefined;
    const { environment, image } = request;
    const { configKeys, deployedBy } = this.settings;
    const values: Record<string, string> = {
      [configKeys.canaryImage]: image,
      [configKeys.canaryVerifiedDigest]: verifiedDigest(verdict),
      [configKeys.canaryWeight]: "0",
      ...(deployedBy === undefined ? {} : { [configKeys.releaseId]: id, [configKeys.deployedBy]: deployedBy }),
    };
    const change = {
      environment,
      stack: this.stackFor(environment),
      config: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }])),
      image: { current: previousImage, candidate: image },
      ...(request.riskSignals ? { ci: request.riskSignals } : {}),
      ...(verdict ? { supplyChain: verdict.unsignedAllowed ? ("warn" as const) : ("pass" as const) } : {}),
    };
    try {
      return await this.deps.risk(change);
    } catch (error) {
      if (errorKindOf(error) !== undefined) throw error;
      throw new ReleaseValidationError([{ field: "image", message: `cannot be released to \`${environment}\`: the preview of its first update failed: ${errorSummary(error)}` }]);
    }
  }

  async get(id: string): Promise<Release> {
    const release = this.runs.get(id)?.release ?? (await this.deps.store.get(id));
    if (!release) throw new ReleaseNotFoundError(id);
    return release;
  }

  list(filter?: { readonly environment?: string }): Promise<Release[]> {
    return this.deps.store.list(filter);
  }

  /** Holds the release before its next weight raise (or promotion). */
  pause(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "pause", actor, reason);
  }

  /** Continues a paused release (or cancels a pause not yet reached). */
  resume(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "resume", actor, reason);
  }

  /** A second person's approval of a release awaiting it; refused to the token that started it. */
  approve(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "approve", actor, reason);
  }

  /** Ends a release awaiting approval as `aborted`; nothing was deployed. */
  reject(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "reject", actor, reason);
  }

  /** Skips the remaining steps and promotes. */
  promote(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "promote", actor, reason);
  }

  /** Rolls back now: traffic to stable first, then the canary is removed; the release ends `aborted`. */
  abort(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "abort", actor, reason);
  }

  /** Ids of the releases this replica drives. */
  driven(): string[] {
    return [...this.runs.values()].filter((run) => !run.lost).map((run) => run.release.id);
  }

  /** Resolves with the record once the release's loop has stopped (finished, or paused). */
  async whenSettled(id: string): Promise<Release> {
    for (let run = this.runs.get(id); run?.driving; run = this.runs.get(id)) await run.loop;
    return this.get(id);
  }

  /**
   * Picks up the active releases nobody drives — left by a previous process,
   * or by a replica that died (its lease expired): finishes pending
   * rollbacks and promotions, and re-runs (or rolls back, per `onRestart`)
   * progressing ones. Paused releases stay paused (and, with coordination,
   * held, so their commands reach this replica). Safe to call repeatedly.
   */
  async recover(): Promise<Release[]> {
    if (this.closing) return [];
    const candidates = (await this.deps.store.listActive()).filter((release) => !this.runs.has(release.id));
    const leases = this.deps.coordination?.leases;
    const undriven = leases ? new Set(await leases.undriven(candidates.map((release) => release.id))) : undefined;
    const recovered: Release[] = [];
    for (const candidate of candidates) {
      if (undriven && !undriven.has(candidate.id)) continue;
      const held = await leases?.tryHold(candidate.id);
      if (leases && !held) continue;
      // Read again under the lease: the previous holder may have written since the list.
      const release = held ? await this.deps.store.get(candidate.id) : candidate;
      if (!release || !isActive(release.status) || this.closing) {
        await held?.release();
        continue;
      }
      const run = this.track(release, held);
      if (await this.resumeRun(run)) recovered.push(run.release);
      await this.drainCommands(release.id);
    }
    return recovered;
  }

  /**
   * Applies the queued commands of a release this replica drives (a no-op
   * for others); they are applied one at a time, in the order sent.
   */
  drainCommands(id: string): Promise<void> {
    const run = this.runs.get(id);
    const commands = this.deps.coordination?.commands;
    if (!run?.held || !commands || run.lost) return Promise.resolve();
    run.intake = run.intake.then(async () => {
      for (const queued of await commands.pending(id)) {
        if (run.lost) return;
        let outcome = "applied";
        try {
          await this.applyCommand(run, queued.command, queued.actor, queued.reason ?? undefined);
        } catch (error) {
          if (!(error instanceof IllegalTransitionError)) throw error;
          outcome = error.message;
        }
        await commands.settle(queued.id, outcome);
      }
    }).catch((error: unknown) => this.log("warn", run, { error: describe(error) }, "applying queued commands failed; retrying at the next poll"));
    return run.intake;
  }

  /** The decision after a takeover: clear the stack's pending operations, apply `onRestart`, drive. False when it cannot be resumed now. */
  private async resumeRun(run: Run): Promise<boolean> {
    const release = run.release;
    const decision = resumeDecision(release, this.settings.onRestart);
    this.log("info", run, { status: release.status, intent: release.intent, decision: decision.kind, onRestart: this.settings.onRestart }, "recovering release");
    // Nothing is deployed yet: only the approval's expiry is to be watched.
    if (release.status === "awaitingApproval") this.launch(run);
    if (release.status !== "progressing") return true;
    try {
      await this.deps.engine.recover(this.stackFor(release.environment));
    } catch (error) {
      // Left progressing and undriven: the next pass retries, or a human aborts it.
      this.log("error", run, { error: describe(error) }, "could not clear the stack's pending operations; release not resumed");
      await this.untrack(run);
      return false;
    }
    if (decision.kind === "rollback" && release.intent === null) await this.setIntent(run, "rollback", decision.reason, CONTROLLER_ACTOR);
    this.launch(run);
    return true;
  }

  /**
   * Stops driving releases for shutdown: pauses and analyses in progress are
   * cut short (the record stays at its step, to be resumed by `recover`);
   * a stack update, promotion or rollback in progress finishes first.
   */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.runs.values()];
    for (const run of runs) run.interrupt.abort();
    await Promise.all(runs.map((run) => run.loop));
    // Another replica takes the releases over at once instead of after the lease TTL.
    await Promise.all(runs.map((run) => this.untrack(run)));
  }

  // ------------------------------------------------------------ commands

  private async command(id: string, command: ReleaseCommand, actor: string, reason?: string): Promise<Release> {
    const tracked = this.runs.get(id);
    if (this.deps.coordination && !tracked?.held) return this.relay(id, command, actor, reason);
    return this.applyCommand(tracked ?? (await this.load(id)), command, actor, reason);
  }

  /**
   * A command for a release another replica drives (or nobody, until a
   * replica takes it over): refused at once if the record does not allow it,
   * else queued for the driver, and answered with the record once applied or
   * after `commandWaitMs`.
   */
  private async relay(id: string, command: ReleaseCommand, actor: string, reason?: string): Promise<Release> {
    const commands = this.deps.coordination!.commands;
    const current = await this.get(id);
    const after = applyCommand(current, command, actor, this.clock.now(), reason);
    if (after === current) return current;
    const commandId = await commands.enqueue(id, command, actor, reason);
    this.logger.info({ releaseId: id, command, actor, commandId }, `command ${command} queued for the replica driving the release`);
    const deadline = Date.now() + (this.deps.commandWaitMs ?? 5000);
    for (;;) {
      const outcome = await commands.outcome(commandId);
      if (outcome !== null && outcome !== "applied") throw new IllegalTransitionError(id, current.status, command, outcome);
      if (outcome === "applied" || Date.now() >= deadline) return this.get(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async applyCommand(run: Run, command: ReleaseCommand, actor: string, reason?: string): Promise<Release> {
    const before = run.release;
    const after = applyCommand(before, command, actor, this.clock.now(), reason);
    if (after === before) return before;
    // Stage the change and cut the current wait short before awaiting the save, so the loop sees it at once.
    const saved = this.commit(run, () => after);
    if (run.driving && (command === "abort" || command === "promote")) run.interrupt.abort();
    await saved;
    this.log("info", run, { command, actor, status: after.status, intent: after.intent }, `command ${command} accepted`);
    // The brake does not wait for a stack update in flight to end; the rollback brakes again once it has.
    // An abort, or a promotion rejected, with the canary live (not a wait before the first weight, with nothing deployed).
    if (after.intent?.action === "abort" && run.driving) void this.brake(run, "abort");
    if (before.status === "awaitingApproval") {
      run.interrupt.abort();
      if (command === "approve") await this.notify(run, "release.approved", actor);
      else if (after.status === "aborted") await this.notify(run, "release.aborted", actor);
    }
    if (command === "resume" && before.status === "paused") await this.notify(run, "release.resumed", actor);
    if (after.status === "progressing") this.launch(run);
    return run.release;
  }

  // ------------------------------------------------------------ the loop

  private launch(run: Run): void {
    if (run.driving || this.closing) return;
    run.driving = true;
    run.loop = this.drive(run);
  }

  private async drive(run: Run): Promise<void> {
    try {
      for (;;) {
        if (run.interrupt.signal.aborted && !run.lost) run.interrupt = new AbortController();
        const move = this.closing || run.lost ? ({ kind: "stop" } as const) : nextMove(run.release);
        if (move.kind === "stop") {
          run.driving = false;
          if (isTerminal(run.release.status)) await this.untrack(run);
          return;
        }
        await this.perform(run, move);
      }
    } catch (error) {
      run.driving = false;
      if (run.lost) return;
      if (error instanceof ServiceUnavailableError || error instanceof LeaseLostError) {
        // The record cannot be written now: stop driving and let whoever takes the lease next (maybe this replica) resume from the store.
        this.log("warn", run, { error: describe(error) }, "cannot write the release now; giving it up until a replica takes it over");
        await this.untrack(run).catch(() => undefined);
        return;
      }
      await this.fail(run, "the release controller hit an unexpected error", error);
    }
  }

  private async perform(run: Run, move: Exclude<Move, { kind: "stop" }>): Promise<void> {
    switch (move.kind) {
      case "step":
        await this.attempt(run, () => this.runStep(run, move.step), async (error) => {
          this.log("error", run, { error: describe(error) }, "step failed; rolling back");
          await this.setIntent(run, "rollback", `step ${move.step + 1} failed: ${errorSummary(error)}`, CONTROLLER_ACTOR);
        });
        return;
      case "promote":
        await this.attempt(run, () => this.promoteNow(run), (error) =>
          this.fail(run, "promotion failed; stable may already run the new image, check the stack", error),
        );
        return;
      case "rollback":
        await this.attempt(run, () => this.rollBack(run, move.final, move.reason), (error) =>
          this.fail(run, "rollback failed; the canary may still receive traffic", error),
        );
        return;
      case "hold":
        await this.hold(run, move.reason);
        return;
      case "awaitApproval":
        await this.awaitApproval(run, move.expiresAt);
        return;
      case "requestPromotionApproval":
        await this.requestPromotionApproval(run);
        return;
    }
  }

  /** Sleeps until the approval expires or a command cuts the wait short; an expired wait ends the release `aborted`. */
  private async awaitApproval(run: Run, expiresAt: string): Promise<void> {
    const remaining = Date.parse(expiresAt) - this.clock.now().getTime();
    if (remaining > 0) {
      await this.sleep(run, Math.min(remaining, this.settings.pollIntervalSeconds * 1000));
      return;
    }
    if (!approvalExpired(run.release, this.clock.now())) return;
    await this.commit(run, (release) => expireApproval(release, this.clock.now(), CONTROLLER_ACTOR));
    if (run.release.status === "aborted") {
      this.log("warn", run, { expiresAt, reason: run.release.reason }, "approval expired; release aborted");
      await this.notify(run, "release.aborted", CONTROLLER_ACTOR);
      return;
    }
    // The promotion was not approved: the canary is live, so traffic goes back to stable before the rollback.
    this.log("warn", run, { expiresAt, reason: run.release.intent?.reason }, "promotion approval expired; rolling back");
    void this.brake(run, "abort");
  }

  /** Every step has passed on a plan that needs a second person: wait for their approval before promoting. */
  private async requestPromotionApproval(run: Run): Promise<void> {
    await this.commit(run, (release) => awaitPromotionApproval(release, this.clock.now()));
    this.log("info", run, { weight: run.release.weight, expiresAt: run.release.promotionApproval?.expiresAt }, "waiting for a second person's approval to promote");
    await this.notify(run, "release.awaitingApproval", run.release.actor);
  }

  /**
   * Runs a move. The release's own lease lost stops the run (rethrown); an
   * unavailable database or state backend, or the stack's lease lost during
   * an update, is waited out (the move is retried at the next turn of the
   * loop; if it lasts, the release's lease lapses too); anything else is the
   * move's failure.
   */
  private async attempt(run: Run, move: () => Promise<void>, failed: (error: unknown) => Promise<void>): Promise<void> {
    try {
      await move();
    } catch (error) {
      if (run.lost || (error instanceof LeaseLostError && error.lease === run.held?.ref.name)) throw error;
      if (error instanceof ServiceUnavailableError || error instanceof LeaseLostError) {
        this.log("warn", run, { error: describe(error) }, "the store, the state backend or the stack's lease is unavailable; retrying");
        await this.sleep(run, this.settings.pollIntervalSeconds * 1000);
        return;
      }
      await failed(error);
    }
  }

  // ------------------------------------------------------------ a step

  private async runStep(run: Run, index: number): Promise<void> {
    const step = run.release.steps[index];
    if (!step) throw new Error(`release has no step ${index + 1}`);
    const reached = await this.reachStep(run, index);
    if (reached.status === "interrupted" || run.interrupt.signal.aborted) return;
    if (reached.status === "deadline") {
      await this.setIntent(run, "rollback", reached.reason, CONTROLLER_ACTOR);
      return;
    }
    await this.notify(run, "release.step", run.release.actor);

    this.log("info", run, { pauseSeconds: step.pauseSeconds }, "holding the weight before analysis");
    if (!(await this.sleep(run, step.pauseSeconds * 1000))) return;

    const result = await this.analyse(run, index, step);
    if (!result) return;
    await this.decide(run, index, result);
  }

  /**
   * Brings the canary to the step's routing within the progress deadline:
   * deploys it without traffic (nor mirroring or header routing) if it has
   * none, waits for an available replica before any traffic, sets the
   * weight, mirror share or header route, and waits for the live router to
   * carry the weight.
   */
  private async reachStep(run: Run, index: number): Promise<{ status: "ok" | "interrupted" } | { status: "deadline"; reason: string }> {
    const { environment, image, steps } = run.release;
    const keys = this.settings.configKeys;
    const deadline = this.deadline();
    const routing = stepRouting(steps, index);
    const where = `step ${index + 1}/${steps.length} (${describeStep(steps, index)})`;

    // Mirror and header steps keep weight 0, so only the first step deploys; the canary stays until the release ends.
    if (run.release.weight === 0 && index === 0) {
      const canary = {
        [keys.canaryImage]: image,
        [keys.canaryVerifiedDigest]: verifiedDigest(run.release.supplyChain),
        ...(comparesToBaseline(run.release) ? { [keys.canaryBaseline]: "true" } : {}),
      };
      await this.up(run, { ...canary, ...routingConfig({ weight: 0 }, steps, keys) }, "deploy the canary without traffic");
    }

    const replicas = await this.waitFor(run, deadline, "canary available replicas", async () => {
      const available = await this.deps.cluster.canaryAvailableReplicas(environment);
      return { ok: available > 0, observed: available };
    });
    if (replicas.status !== "ok") {
      return replicas.status === "interrupted"
        ? { status: "interrupted" }
        : { status: "deadline", reason: `progress deadline (${this.settings.progressDeadlineSeconds}s) exceeded at ${where}: the canary has no available replicas (last seen: ${String(replicas.observed)}); weight not raised` };
    }

    // The record says the weight before the router carries it, so after a takeover the record may be ahead: ask the router too.
    const carried = run.release.weight === routing.weight ? await this.deps.cluster.readLiveWeight(environment).catch(() => undefined) : undefined;
    // The record keeps no mirror or header state, so a mirror or header step always sets it (an update that changes nothing is cheap).
    const weightStep = routing.mirrorPercent === undefined && routing.header === undefined;
    if (!weightStep || run.release.weight !== routing.weight || carried !== routing.weight) {
      // A pause asked for while the canary was coming up holds before this raise.
      if (run.release.intent?.action === "pause" || run.interrupt.signal.aborted) return { status: "interrupted" };
      this.log("info", run, { from: run.release.weight, to: routing.weight, live: carried, availableReplicas: replicas.observed }, weightStep ? "setting canary weight" : "setting canary routing");
      // Recorded first: the live router never carries a weight no record has said.
      if (run.release.weight !== routing.weight) await this.commit(run, (release) => ({ ...release, weight: routing.weight }));
      const purpose = weightStep ? `set the canary weight to ${routing.weight}%` : `set the canary routing to ${describeStep(steps, index)}`;
      await this.up(run, routingConfig(routing, steps, keys), purpose, { weightOnly: { scaleCanary: true, baseline: comparesToBaseline(run.release) } });
    }

    const live = await this.waitFor(run, deadline, "live router weight", async () => {
      const weight = await this.deps.cluster.readLiveWeight(environment);
      return { ok: weight === routing.weight, observed: weight };
    });
    if (live.status === "interrupted") return { status: "interrupted" };
    if (live.status === "unreadable") return { status: "deadline", reason: `the live router weight cannot be read at ${where} (${String(live.observed)})` };
    if (live.status !== "ok") {
      return { status: "deadline", reason: `progress deadline (${this.settings.progressDeadlineSeconds}s) exceeded at ${where}: the live router carries ${String(live.observed)}%, expected ${routing.weight}%` };
    }
    this.log("info", run, { liveWeight: live.observed }, "canary weight verified on the live router");
    return { status: "ok" };
  }

  private async analyse(run: Run, index: number, step: PlannedStep): Promise<AnalysisResult | undefined> {
    const config = run.release.analysisConfig;
    const plan = measurementPlan(
      {
        count: config.count,
        intervalSeconds: config.intervalSeconds,
        failureLimit: config.failureLimit,
        inconclusiveLimit: config.inconclusiveLimit,
        consecutiveErrorLimit: config.consecutiveErrorLimit,
      },
      step,
    );
    const signal = run.interrupt.signal;
    let result: AnalysisResult;
    try {
      result = await runAnalysis({
        provider: this.deps.metrics,
        checks: buildChecks(config, this.deps.metrics.builtInQueries),
        gate: buildTrafficGate(config, this.deps.metrics.builtInQueries),
        plan,
        windowSeconds: config.windowSeconds,
        step: index,
        clock: this.clock,
        signal,
        onRecord: (record) => this.log(record.phase === "successful" ? "info" : "warn", run, { ...record, step: index + 1 }, "measurement"),
      });
    } catch (error) {
      if (signal.aborted) return undefined;
      throw error;
    }
    await this.commit(run, (release) => ({ ...release, analysis: [...release.analysis, ...result.records] }));
    return result;
  }

  private async decide(run: Run, index: number, result: AnalysisResult): Promise<void> {
    const release = run.release;
    const action = nextAction({
      phase: result.phase,
      stepIndex: index,
      stepCount: release.steps.length,
      extensions: release.extensions,
      inconclusive: release.analysisConfig.inconclusive,
    });
    this.log(
      result.phase === "successful" ? "info" : "warn",
      run,
      { phase: result.phase, metrics: result.metrics, rounds: result.rounds, decisive: result.decisive, extensions: release.extensions, action },
      "step analysed",
    );
    switch (action.kind) {
      case "advance":
      case "promote":
        await this.commit(run, (r) => ({ ...r, step: index + 1, extensions: 0 }));
        return;
      case "extend":
        await this.commit(run, (r) => ({ ...r, extensions: action.extension }));
        return;
      case "pause":
        await this.setIntent(run, "pause", analysisReason(release, index, result, action), CONTROLLER_ACTOR);
        return;
      case "rollback":
        await this.setIntent(run, "rollback", analysisReason(release, index, result, action), CONTROLLER_ACTOR);
        return;
    }
  }

  // ------------------------------------------------------------ endings

  /** Stable takes the canary's image, traffic returns to stable, the canary is removed. */
  private async promoteNow(run: Run): Promise<void> {
    if (run.release.intent?.action !== "promote") await this.setIntent(run, "promote", "every step passed analysis", CONTROLLER_ACTOR);
    const keys = this.settings.configKeys;
    const { image } = run.release;
    const actor = run.release.intent?.actor ?? CONTROLLER_ACTOR;
    const reason = run.release.intent?.reason ?? null;

    const stable = { [keys.stableImage]: image, [keys.stableVerifiedDigest]: verifiedDigest(run.release.supplyChain) };
    await this.up(run, stable, "promote: stable runs the canary's image");
    if (!(await this.trafficToStable(run, "promote"))) return;
    await this.up(run, this.canaryRemoved(run.release), "promote: remove the canary");
    await this.commit(run, (r) => transition(r, "succeeded", { at: this.clock.now(), reason }));
    this.log("info", run, { image, actor, reason }, "release promoted");
    await this.notify(run, "release.promoted", actor);
  }

  /** Traffic back to stable first, then the canary is removed. Stable's image is never touched. */
  private async rollBack(run: Run, final: "rolledBack" | "aborted", reason: string): Promise<void> {
    const actor = run.release.intent?.actor ?? CONTROLLER_ACTOR;
    this.log("warn", run, { reason, final, actor }, "rolling back");
    await this.brake(run, "rollback");
    if (!(await this.trafficToStable(run, "rollback"))) return;
    await this.up(run, this.canaryRemoved(run.release), "rollback: remove the canary");
    await this.commit(run, (r) => transition(r, final, { at: this.clock.now(), reason }));
    this.log("warn", run, { reason, stableImage: run.release.previousImage }, final === "aborted" ? "release aborted" : "release rolled back");
    await this.notify(run, final === "aborted" ? "release.aborted" : "release.rolledBack", actor);
  }

  /**
   * The traffic brake: the live router sends the canary nothing before the
   * stack update below records it (the update then agrees with the live
   * object). A failed brake only costs time: the update moves traffic back.
   * Recovery after a crash repeats both, so a brake never stays unrecorded.
   */
  private async brake(run: Run, purpose: "rollback" | "abort"): Promise<void> {
    const brake = this.deps.cluster.brake?.bind(this.deps.cluster);
    if (!brake) return;
    const started = this.clock.now().getTime();
    try {
      const result = await brake(run.release.environment);
      const ms = this.clock.now().getTime() - started;
      // bench/scenarios/rollback.ts times this log line.
      this.log("info", run, { detail: result.detail, ms }, result.braked ? `${purpose}: brake: the live router sends the canary nothing` : `${purpose}: no brake`);
    } catch (error) {
      this.log("warn", run, { error: describe(error) }, `${purpose}: the brake failed; the stack update sends traffic to stable`);
    }
  }

  /** Sets the weight to 0 and waits for the live router to carry it; false if interrupted by shutdown. */
  private async trafficToStable(run: Run, purpose: string): Promise<boolean> {
    await this.commit(run, (release) => ({ ...release, weight: 0 }));
    // The canary keeps its pods until the route has moved traffic off it; they go with the canary.
    const toStable = routingConfig({ weight: 0 }, run.release.steps, this.settings.configKeys);
    // Mirroring and header routing are cleared too. bench/scenarios/rollback.ts times this log line.
    await this.up(run, toStable, `${purpose}: all traffic to stable`, { weightOnly: { scaleCanary: false } });
    const live = await this.waitFor(run, this.deadline(), "live router weight", async () => {
      const weight = await this.deps.cluster.readLiveWeight(run.release.environment);
      return { ok: weight === 0, observed: weight };
    });
    if (live.status === "deadline") {
      throw new Error(`the live router still sends ${String(live.observed)}% to the canary after ${this.settings.progressDeadlineSeconds}s; the canary was left in place`);
    }
    if (live.status === "unreadable") throw new Error(`the live router weight cannot be read (${String(live.observed)}); the canary was left in place`);
    return live.status === "ok";
  }

  private async hold(run: Run, reason: string): Promise<void> {
    const actor = run.release.intent?.actor ?? CONTROLLER_ACTOR;
    await this.commit(run, (r) => transition(r, "paused", { at: this.clock.now(), reason }));
    this.log("info", run, { reason, actor }, "release paused");
    await this.notify(run, "release.paused", actor);
  }

  private async fail(run: Run, summary: string, error: unknown): Promise<void> {
    const reason = `${summary}: ${errorSummary(error)}`;
    this.log("error", run, { reason, error: describe(error) }, "release failed");
    if (run.release.status !== "progressing") return;
    try {
      await this.commit(run, (r) => transition(r, "failed", { at: this.clock.now(), reason }));
    } catch (saveError) {
      this.log("error", run, { error: describe(saveError) }, "could not record the failure");
    }
    await this.notify(run, "release.failed", CONTROLLER_ACTOR);
  }

  // ------------------------------------------------------------ helpers

  /** Records a decided action; a pending abort, rollback or promotion is never replaced (the first decided wins). */
  private async setIntent(run: Run, action: IntentAction, reason: string, actor: string): Promise<void> {
    const current = run.release.intent;
    if (current && current.action !== "pause" && current.action !== action) {
      this.log("info", run, { pending: current, ignored: { action, reason } }, "an action is already pending");
      return;
    }
    const at = this.clock.now().toISOString();
    await this.commit(run, (release) => ({ ...release, intent: { action, actor, reason, at } }));
  }

  private async up(run: Run, changes: Record<string, string>, purpose: string, options: { weightOnly?: WeightChange } = {}): Promise<void> {
    const stack = this.stackFor(run.release.environment);
    const values = { ...changes, ...this.provenance(run.release) };
    const config: StackConfig = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }]));
    const targets = options.weightOnly ? this.deps.routerTargets?.(run.release.environment, options.weightOnly) : undefined;
    const limited = targets !== undefined && targets.length > 0;
    this.log("info", run, { stack, config: values, targets }, purpose);
    const started = this.clock.now().getTime();
    const signal = run.held?.signal;
    const result = await this.deps.engine.up(stack, config, { ...(limited ? { targets } : {}), ...(signal ? { signal } : {}) });
    this.log("info", run, { stack, changes: result.changes, ms: this.clock.now().getTime() - started, ...(result.phases ? { phases: result.phases } : {}) }, `${purpose}: done`);
  }

  /** The config that removes the canary, and its baseline when the release ran one. */
  private canaryRemoved(release: Release): Record<string, string> {
    const keys = this.settings.configKeys;
    return { [keys.canaryImage]: "", ...(comparesToBaseline(release) ? { [keys.canaryBaseline]: "" } : {}) };
  }

  /** The release metadata stamped on every update, when the controller has a deployer identity. */
  private provenance(release: Release): Record<string, string> {
    const { deployedBy, configKeys } = this.settings;
    return deployedBy === undefined ? {} : { [configKeys.releaseId]: release.id, [configKeys.deployedBy]: deployedBy };
  }

  /** Polls `probe` every `pollIntervalSeconds` until it is ok, the deadline passes, or the run is interrupted. */
  private async waitFor(run: Run, deadline: number, what: string, probe: () => Promise<{ ok: boolean; observed: unknown }>): Promise<WaitOutcome> {
    for (;;) {
      let observed: unknown;
      try {
        const result = await probe();
        observed = result.observed;
        if (result.ok) return { status: "ok", observed };
      } catch (error) {
        observed = `error: ${describe(error)}`;
        if (error instanceof LiveWeightReadError && !error.retryable) {
          this.log("warn", run, { what, observed }, "cannot be read; not waiting for the progress deadline");
          return { status: "unreadable", observed };
        }
      }
      const remaining = deadline - this.clock.now().getTime();
      this.log("debug", run, { what, observed, remainingMs: Math.max(0, remaining) }, "waiting");
      if (remaining <= 0) {
        this.log("warn", run, { what, observed }, "progress deadline exceeded");
        return { status: "deadline", observed };
      }
      if (!(await this.sleep(run, Math.min(this.settings.pollIntervalSeconds * 1000, remaining)))) return { status: "interrupted", observed };
    }
  }

  /** Sleeps on the injected clock; false when a command or shutdown cut it short. */
  private async sleep(run: Run, ms: number): Promise<boolean> {
    const signal = run.interrupt.signal;
    try {
      await this.clock.sleep(ms, signal);
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    }
    return !signal.aborted;
  }

  private deadline(): number {
    return this.clock.now().getTime() + this.settings.progressDeadlineSeconds * 1000;
  }

  private stableImage(environment: string, config: Readonly<Record<string, string>>): string {
    const key = this.settings.configKeys.stableImage;
    const image = config[key];
    if (!image) {
      throw new ReleaseValidationError([
        { field: "environment", message: `has no stable image (stack config \`${key}\` is not set); deploy it before releasing a canary` },
      ]);
    }
    const canary = config[this.settings.configKeys.canaryImage];
    if (canary) this.logger.warn({ environment, canaryImage: canary }, "the stack still has a canary from an earlier release; this release replaces it");
    return image;
  }

  /** The environment's router kind and what it can do; a kind Rollgate does not know can do nothing optional. */
  private routerOf(config: Readonly<Record<string, string>>): { kind: string; capabilities: RouterCapabilities } {
    const kind = config[this.settings.configKeys.router] || defaultRouterKind;
    const capabilities = isRouterKind(kind) ? routerDefinitions[kind].capabilities : { headerRouting: false, mirroring: false, baseline: false };
    return { kind, capabilities };
  }

  private track(release: Release, held?: HeldReleaseLease): Run {
    const run: Run = {
      release,
      interrupt: new AbortController(),
      driving: false,
      loop: Promise.resolve(),
      saves: Promise.resolve(),
      ...(held ? { held } : {}),
      lost: false,
      intake: Promise.resolve(),
    };
    this.runs.set(release.id, run);
    held?.signal.addEventListener("abort", () => this.lose(run), { once: true });
    return run;
  }

  /** The lease was lost: stop at once, write nothing more, forget the run (its new holder drives it). */
  private lose(run: Run): void {
    if (run.lost || !this.runs.has(run.release.id)) return;
    run.lost = true;
    run.interrupt.abort();
    if (this.runs.get(run.release.id) === run) this.runs.delete(run.release.id);
    this.log("warn", run, {}, "lost the release's lease; another replica drives it now");
  }

  /** Stops tracking a run and gives its lease up. */
  private async untrack(run: Run): Promise<void> {
    if (this.runs.get(run.release.id) === run) this.runs.delete(run.release.id);
    if (run.held && !run.lost) {
      run.lost = true;
      await run.held.release();
    }
  }

  /** Tracks a stored release to apply a command to it (without coordination only: this process is the only driver). */
  private async load(id: string): Promise<Run> {
    const tracked = this.runs.get(id);
    if (tracked) return tracked;
    const release = await this.deps.store.get(id);
    if (!release) throw new ReleaseNotFoundError(id);
    return this.runs.get(id) ?? this.track(release);
  }

  private activeRunIn(environment: string): Run | undefined {
    return [...this.runs.values()].find((run) => run.release.environment === environment && isActive(run.release.status));
  }

  /**
   * Applies `update` to the in-memory record synchronously (the loop and
   * commands always see the latest record) and saves it; saves of a release
   * are applied in call order.
   */
  private commit(run: Run, update: (release: Release) => Release): Promise<void> {
    const next = { ...update(run.release), updatedAt: this.clock.now().toISOString() };
    run.release = next;
    const lease = run.held?.ref;
    const save = run.saves.catch(() => undefined).then(() => (run.lost ? Promise.reject(new LeaseLostError(`release:${next.id}`, "lost before the save")) : this.deps.store.save(next, lease)));
    run.saves = save;
    return save;
  }

  private async notify(run: Run, type: ReleaseEventType, actor: string): Promise<void> {
    const notifier = this.deps.notifier;
    if (!notifier) return;
    const event = releaseEvent(run.release, type, actor, this.clock.now());
    try {
      await notifier.notify(event);
    } catch (error) {
      this.log("warn", run, { event: type, error: describe(error) }, "notification failed");
    }
  }

  private log(level: LogLevel, run: Run, fields: object, message: string): void {
    const { id, environment, step, steps, weight } = run.release;
    this.logger[level]({ releaseId: id, environment, step: Math.min(step + 1, steps.length), weight, ...fields }, message);
  }

  private stackFor(environment: string): string {
    return this.deps.stackFor?.(environment) ?? environment;
  }

  private newId(): string {
    return this.deps.newId?.() ?? randomUUID();
  }
}

/** The JSON event sent to the notifier. */
export function releaseEvent(release: Release, type: ReleaseEventType, actor: string, at: Date): ReleaseEvent {
  return {
    type,
    releaseId: release.id,
    environment: release.environment,
    image: release.image,
    previousImage: release.previousImage,
    status: release.status,
    step: Math.min(release.step + 1, release.steps.length),
    stepCount: release.steps.length,
    weight: release.weight,
    reason: release.reason,
    actor,
    at: at.toISOString(),
  };
}

/** Why a step's analysis paused or rolled back the release, with the deciding measurement. */
export function analysisReason(release: Release, index: number, result: AnalysisResult, action: NextAction): string {
  const where = `step ${index + 1}/${release.steps.length} (${describeStep(release.steps, index)})`;
  const measurement = result.decisive ? describeRecord(result.decisive) : "no measurement";
  switch (action.kind) {
    case "pause":
      return action.why === "extensions-exhausted"
        ? `analysis still inconclusive at ${where} after ${release.extensions} extension(s); waiting for a human: ${measurement}`
        : `analysis inconclusive at ${where}; waiting for a human: ${measurement}`;
    case "rollback":
      if (action.why === "extensions-exhausted") return `analysis still inconclusive at ${where} after ${release.extensions} extension(s): ${measurement}`;
      return `analysis ${action.why === "error" ? "errored" : action.why} at ${where}: ${measurement}`;
    default:
      return `analysis ${result.phase} at ${where}`;
  }
}

function describeRecord(record: AnalysisRecord): string {
  return `${record.metric} ${record.phase}: ${record.detail}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the release record keeps of a passed verdict. */
function supplyChainRecord(verdict: Verdict): SupplyChainRecord {
  return {
    digest: verdict.digest,
    ...(verdict.signer === undefined ? {} : { signer: verdict.signer }),
    ...(verdict.sbomDigest === undefined ? {} : { sbomDigest: verdict.sbomDigest }),
    ...(verdict.builder === undefined ? {} : { builder: verdict.builder }),
    ...(verdict.unsignedAllowed ? { unsignedAllowed: true as const } : {}),
  };
}

/**
 * The digest stamped as the track's `rollgate.dev/verified-digest` (the production policy checks it against the
 * image): the verified one, or "" (unset) when nothing was verified or an unsigned image was let through.
 */
function verifiedDigest(verdict: Pick<Verdict, "digest" | "unsignedAllowed"> | null | undefined): string {
  return verdict && !verdict.unsignedAllowed ? verdict.digest : "";
}

/** Whether the release compares its canary against a baseline, which then runs beside the canary. */
function comparesToBaseline(release: Release): boolean {
  return release.analysisConfig.compareTo === "baseline";
}
