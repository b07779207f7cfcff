/**
 * Abort → weight 0 (issue #17, side by side with `argo.abort`): a release
 * holding its first weight, then `POST /releases/:id/abort`, timed until the
 * router's live object gives the canary 0 — the traffic brake's patch, before
 * the stack update that records it. Read every 10 ms, as the Argo Rollouts
 * scenario reads its canary Ingress, so neither tool gains from the poll.
 * Each run is a new release: deploy the canary, raise it, abort (not timed
 * but the abort).
 */
import { whenWeight } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { ENVIRONMENT } from "../lib/environment";
import { progress } from "../lib/progress";
import { abortIfActive, CANARY_IMAGE, command, NO_CHECKS, startRelease, waitForStatus } from "../lib/releases";
import { firstMs } from "../lib/serviceLogs";

const WEIGHT = 20;
const POLL_MS = 10;
/** Longer than a run takes: the release is still holding its first weight when the abort comes. */
const HOLD_SECONDS = 600;

export async function abortScenario(ctx: BenchContext): Promise<void> {
  const { service, api } = ctx.running();
  const samples: number[] = [];
  const brake: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    const id = await startRelease(api, {
      environment: ENVIRONMENT.environment,
      image: CANARY_IMAGE,
      steps: [{ weight: WEIGHT, pauseSeconds: HOLD_SECONDS }],
      analysis: NO_CHECKS,
    });
    const finish = ctx.cleanup.defer(`abort release ${id}`, () => abortIfActive(api, id));
    try {
      await whenWeight(ctx.kube, ctx.target, (w) => w === WEIGHT, { timeoutMs: 600_000, what: `canary weight ${WEIGHT}%` });
      const sinceMs = Date.now();
      const started = performance.now();
      const zero = whenWeight(ctx.kube, ctx.target, (w) => w === 0, { timeoutMs: 300_000, intervalMs: POLL_MS, what: "weight 0 after the abort" });
      await command(api, id, "abort");
      const seconds = ((await zero).at - started) / 1000;
      samples.push(seconds);
      const brakeMs = firstMs(service, sinceMs, "abort: brake: the live router sends the canary nothing");
      if (brakeMs !== undefined) brake.push(brakeMs / 1000);
      progress(`abort ${run + 1}/${ctx.settings.runs} (${ctx.settings.router}): ${WEIGHT}% → 0% on the live object after ${seconds.toFixed(3)} s (brake patch ${brakeMs === undefined ? "?" : `${brakeMs} ms`})`);
      await waitForStatus(api, id, ["aborted"], 300_000);
    } finally {
      await finish();
    }
  }
  ctx.record("abort.rollgate", samples, "s");
  ctx.record("profile.abort.brake", brake, "s");
  ctx.note("abort", "path", `release with one step at ${WEIGHT}% (hold ${HOLD_SECONDS} s), router ${ctx.settings.router}; timed from POST abort; polled every ${POLL_MS} ms`);
}
