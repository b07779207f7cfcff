/**
 * Weight step: from the call that moves the canary from weight A to B until
 * the live HTTPRoute shows B.
 *
 * - CLI baseline: `pulumi config set rollgate:canaryWeight B` then
 *   `pulumi up --yes --skip-preview` on the same program, stack and config
 *   file the service uses.
 * - Rollgate: a release whose steps hold each weight and whose analysis has
 *   no checks; the benchmark pauses it once a weight is live, so it stops
 *   before the next raise, and `POST /releases/:id/resume` is the call that
 *   moves it to the next weight.
 */
import { join } from "node:path";
import { whenWeight } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { ENVIRONMENT, repoRoot } from "../lib/environment";
import { progress, secondsSince } from "../lib/progress";
import { abortIfActive, CANARY_IMAGE, command, NO_CHECKS, startRelease, waitForStatus } from "../lib/releases";
import { firstMs, firstTime, logsSince } from "../lib/serviceLogs";
import { weightSequence } from "../lib/weights";

/** Seconds each step holds its weight: the window in which the benchmark's pause lands. */
const HOLD_SECONDS = 5;

/** The CLI baseline, run before the service starts (the stack is the service's afterwards). */
export async function cliWeightSteps(ctx: BenchContext): Promise<void> {
  const { cli } = ctx.env;
  const weights = weightSequence(ctx.settings.runs + 1);
  progress(`weight step (CLI): canary ${CANARY_IMAGE} at ${weights[0]}% (not timed)`);
  await cli.configSet("rollgate:canaryImage", CANARY_IMAGE);
  await cli.configSet("rollgate:canaryWeight", String(weights[0]));
  await cli.up();

  const total: number[] = [];
  const configSet: number[] = [];
  const up: number[] = [];
  for (const [index, weight] of weights.slice(1).entries()) {
    const started = performance.now();
    const live = whenWeight(ctx.kube, ctx.target, (w) => w === weight, { timeoutMs: 300_000, what: `CLI weight ${weight}%` });
    await cli.configSet("rollgate:canaryWeight", String(weight));
    const configured = performance.now();
    await cli.up();
    up.push(secondsSince(configured));
    configSet.push((configured - started) / 1000);
    const seen = await live;
    total.push((seen.at - started) / 1000);
    progress(`weight step (CLI) ${index + 1}/${weights.length - 1}: ${weights[index]}% → ${weight}% live after ${((seen.at - started) / 1000).toFixed(2)} s`);
  }
  ctx.record("weightStep.cli", total, "s");
  ctx.record("profile.cli.configSet", configSet, "s");
  ctx.record("profile.cli.upSkipPreview", up, "s");

  await profileCliVariants(ctx, weights.at(-1) ?? 50);

  progress("weight step (CLI): back to stable only");
  await cli.configSet("rollgate:canaryWeight", "0");
  await cli.configRm("rollgate:canaryImage");
  await cli.up();
}

/**
 * What the service's engine does per update, piece by piece with the CLI:
 * a preview without and with the policy pack, and an update with it (the
 * engine runs a policy preview, then the update, both with the pack).
 */
async function profileCliVariants(ctx: BenchContext, lastWeight: number): Promise<void> {
  const { cli } = ctx.env;
  const policy = ["--policy-pack", join(repoRoot, "policies"), "--policy-pack-config", join(repoRoot, "policies/config", `${ENVIRONMENT.stack}.json`)];
  const rounds = ctx.settings.quick ? 1 : 2;
  const preview: number[] = [];
  const previewPolicy: number[] = [];
  const upPolicy: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const weight = lastWeight - 1 - round;
    await cli.configSet("rollgate:canaryWeight", String(weight));
    let started = performance.now();
    await cli.preview();
    preview.push(secondsSince(started));
    started = performance.now();
    await cli.preview(policy);
    previewPolicy.push(secondsSince(started));
    started = performance.now();
    await cli.up(policy);
    upPolicy.push(secondsSince(started));
  }
  ctx.record("profile.cli.preview", preview, "s");
  ctx.record("profile.cli.previewWithPolicy", previewPolicy, "s");
  ctx.record("profile.cli.upWithPolicy", upPolicy, "s");
  progress(`weight step (CLI profile): preview ${preview[0]?.toFixed(1)} s, preview+policy ${previewPolicy[0]?.toFixed(1)} s, up+policy ${upPolicy[0]?.toFixed(1)} s`);
}

/** The same steps through the service: resume a release paused between weights. */
export async function rollgateWeightSteps(ctx: BenchContext): Promise<void> {
  const { api } = ctx.running();
  const weights = weightSequence(ctx.settings.runs + 1);
  const id = await startRelease(api, {
    environment: ENVIRONMENT.environment,
    image: CANARY_IMAGE,
    steps: weights.map((weight) => ({ weight, pauseSeconds: HOLD_SECONDS })),
    analysis: NO_CHECKS,
  });
  const finish = ctx.cleanup.defer(`abort release ${id}`, () => abortIfActive(api, id));
  try {
    await timedSteps(ctx, id, weights);
  } finally {
    progress("weight step (Rollgate): abort the release (traffic back to stable, canary removed)");
    await finish();
  }
}

async function timedSteps(ctx: BenchContext, id: string, weights: readonly number[]): Promise<void> {
  const { service, api } = ctx.running();
  progress(`weight step (Rollgate): release ${id} deploys the canary and raises it to ${weights[0]}% (not timed)`);
  await whenWeight(ctx.kube, ctx.target, (w) => w === weights[0], { timeoutMs: 600_000, what: `first weight ${weights[0]}%` });
  await command(api, id, "pause");
  await waitForStatus(api, id, ["paused"], 120_000);

  const total: number[] = [];
  const reaction: number[] = [];
  const engine: number[] = [];
  const targeted: boolean[] = [];
  const phases = new Map<string, number[]>();
  for (const [index, weight] of weights.slice(1).entries()) {
    const sinceMs = Date.now();
    const started = performance.now();
    const live = whenWeight(ctx.kube, ctx.target, (w) => w === weight, { timeoutMs: 300_000, what: `weight ${weight}% after resume` });
    await command(api, id, "resume");
    const seen = await live;
    await command(api, id, "pause");
    total.push((seen.at - started) / 1000);
    const paused = await waitForStatus(api, id, ["paused"], 120_000);
    if (paused.weight !== weight) throw new Error(`the release paused at ${paused.weight}%, not ${weight}%: the pause missed the hold`);

    const raiseAt = firstTime(service, sinceMs, "setting canary weight");
    const engineMs = firstMs(service, sinceMs, `set the canary weight to ${weight}%: done`);
    if (raiseAt !== undefined) reaction.push((raiseAt - sinceMs) / 1000);
    if (engineMs !== undefined) engine.push(engineMs / 1000);
    const update = logsSince(service, sinceMs, `set the canary weight to ${weight}%`)[0];
    const done = logsSince(service, sinceMs, `set the canary weight to ${weight}%: done`)[0];
    for (const [phase, ms] of Object.entries((done?.phases ?? {}) as Record<string, unknown>)) {
      if (typeof ms === "number") phases.set(phase, [...(phases.get(phase) ?? []), ms / 1000]);
    }
    targeted.push(Array.isArray(update?.targets) && update.targets.length > 0);
    progress(
      `weight step (Rollgate) ${index + 1}/${weights.length - 1}: ${weights[index]}% → ${weight}% live after ${((seen.at - started) / 1000).toFixed(2)} s` +
        ` (resume → update start ${raiseAt === undefined ? "?" : ((raiseAt - sinceMs) / 1000).toFixed(2)} s, engine up ${engineMs === undefined ? "?" : (engineMs / 1000).toFixed(2)} s)`,
    );
  }
  ctx.record("weightStep.rollgate", total, "s");
  ctx.record("profile.rollgate.resumeToUpdateStart", reaction, "s");
  ctx.record("profile.rollgate.engineUp", engine, "s");
  // The engine's landmarks within its up (UpdatePhases), from the moment it held the stack.
  for (const [phase, seconds] of phases) ctx.record(`profile.rollgate.engineUp.${phase}`, seconds, "s");
  // A weight-only update limited to the router's resources runs no policy preview first (LocalStackEngine.up).
  ctx.note("weightStep", "targetedUpdates", `${targeted.filter(Boolean).length}/${targeted.length}`);
  ctx.note("weightStep", "path", `release with steps ${weights.join("/")}% (hold ${HOLD_SECONDS} s, analysis without checks), paused after each weight; timed from POST resume`);
}
