/**
 * Several replicas on the benchmark's database (issue #12's figures): the
 * service under test is replica A, a second process B shares its database.
 *
 * - Abort on a replica that does not drive the release: a release driven by
 *   A holds a weight; `POST abort` is sent to B; timed until the live
 *   HTTPRoute carries 0.
 * - Takeover after SIGKILL: a release driven by A holds a weight; A and its
 *   engine processes are SIGKILLed; timed until B logs that it took the
 *   release over (goal ≤ lease TTL + 2 s), and until it finished the release.
 * - Previews per minute with 1, 2 and 3 replicas (full runs): the same batch
 *   of previews created across the replicas, each running one operation at
 *   a time, so the figure shows how work spreads.
 *
 * A is restarted at the end (as a new replica) for whatever runs after.
 */
import { copyFileSync } from "node:fs";
import { DEFAULT_LEASE_TTL_SECONDS as LEASE_TTL_SECONDS } from "../../automation/env";
import { join } from "node:path";
import { newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../test/support/rollgateService";
import { whenWeight } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { ENVIRONMENT } from "../lib/environment";
import { benchPr, previewsOf, requestCreate, requestDestroy, waitNamespaceGone, waitReady } from "../lib/previews";
import { progress } from "../lib/progress";
import { abortIfActive, CANARY_IMAGE, NO_CHECKS, startRelease, waitForStatus, TERMINAL_RELEASE_STATUSES } from "../lib/releases";


interface Replica {
  readonly service: RollgateService;
  readonly api: RollgateApi;
  readonly stop: () => Promise<void>;
}

/** Another service process on the benchmark's database, with the same token. */
async function startReplica(ctx: BenchContext, env: Readonly<Record<string, string>> = {}): Promise<Replica> {
  const state = newStateDir("rg-bench-replica-");
  copyFileSync(join(ctx.env.stateDir, "tokens.json"), join(state.dir, "tokens.json"));
  const service = await RollgateProcess.start(state.dir, { env: { ...ctx.env.serviceEnv(undefined), ...env } });
  return {
    service,
    api: new RollgateApi(() => service.url, ctx.env.token),
    stop: async () => {
      await service.stop();
      state.remove();
    },
  };
}

export async function replicaScenarios(ctx: BenchContext): Promise<void> {
  const b = await startReplica(ctx);
  const stopB = ctx.cleanup.defer("stop the second replica", () => b.stop());
  try {
    await abortOnOtherReplica(ctx, b);
    await takeoverAfterKill(ctx, b);
  } finally {
    await stopB();
  }
  if (!ctx.settings.quick) await previewsPerMinute(ctx);
}

async function holdingRelease(ctx: BenchContext, weight: number): Promise<string> {
  const { api } = ctx.running();
  const id = await startRelease(api, {
    environment: ENVIRONMENT.environment,
    image: CANARY_IMAGE,
    steps: [{ weight, pauseSeconds: 600 }, { weight: 100, pauseSeconds: 0 }],
    analysis: NO_CHECKS,
  });
  await whenWeight(ctx.kube, ctx.target, (w) => w === weight, { timeoutMs: 600_000, what: `weight ${weight}%` });
  return id;
}

async function abortOnOtherReplica(ctx: BenchContext, b: Replica): Promise<void> {
  const samples: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    const id = await holdingRelease(ctx, 20 + run);
    const started = performance.now();
    const zero = whenWeight(ctx.kube, ctx.target, (w) => w === 0, { timeoutMs: 300_000, what: "weight 0 after the abort" });
    const answer = await b.api.request("POST", `/api/v1/releases/${id}/abort`, { reason: "rollgate benchmark" });
    if (answer.status !== 202) throw new Error(`abort on the other replica answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const seen = await zero;
    samples.push((seen.at - started) / 1000);
    await waitForStatus(b.api, id, ["aborted"], 300_000);
    progress(`replicas: abort sent to the replica that does not drive release ${id} → weight 0 after ${samples.at(-1)?.toFixed(2)} s`);
  }
  ctx.record("replicas.abortOnOtherReplica", samples, "s");
}

async function takeoverAfterKill(ctx: BenchContext, b: Replica): Promise<void> {
  const { service } = ctx.running();
  const id = await holdingRelease(ctx, 30);
  await service.crash();
  const killedAt = Date.now();
  const started = performance.now();
  progress(`replicas: SIGKILLed the replica driving release ${id}; waiting for the other to take it over (lease TTL ${LEASE_TTL_SECONDS} s)`);
  const line = await b.service.waitForLog((entry) => entry.releaseId === id && entry.msg === "recovering release", (LEASE_TTL_SECONDS + 60) * 1000);
  const takeover = (Date.parse(String(line.time)) - killedAt) / 1000;
  await abortIfActive(b.api, id, 300_000);
  const release = await waitForStatus(b.api, id, TERMINAL_RELEASE_STATUSES, 300_000);
  progress(`replicas: taken over after ${takeover.toFixed(2)} s, finished (${release.status}) after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  ctx.record("replicas.takeoverAfterKill", [takeover], "s");
  ctx.note("replicas", "leaseTtlSeconds", LEASE_TTL_SECONDS);

  progress("replicas: restarting the killed replica for the scenarios after this one");
  const restarted = await RollgateProcess.start(ctx.env.stateDir, { env: ctx.env.serviceEnv(undefined) });
  ctx.service = restarted;
  ctx.api = new RollgateApi(() => restarted.url, ctx.env.token);
  ctx.cleanup.defer("stop the restarted service", () => restarted.stop());
}

/** The same batch of previews with 1, 2 and 3 replicas, each running one operation at a time. */
async function previewsPerMinute(ctx: BenchContext): Promise<void> {
  const batch = 6;
  for (const count of [1, 2, 3]) {
    const replicas = await Promise.all(Array.from({ length: count }, () => startReplica(ctx, { ROLLGATE_MAX_CONCURRENT_OPERATIONS: "1" })));
    try {
      const prs = Array.from({ length: batch }, (_, index) => benchPr(ctx, 50 + count * 10 + index));
      const started = performance.now();
      await Promise.all(prs.map((pr, index) => requestCreate(replicas[index % count]!.api, pr)));
      const namespaces = await Promise.all(prs.map((pr) => waitReady(ctx, pr, 1_800_000)));
      const minutes = (performance.now() - started) / 60_000;
      ctx.record(`replicas.previewsPerMinute.${count}`, [batch / minutes], "/min", { digits: 2 });
      progress(`replicas: ${batch} previews across ${count} replica(s), one operation each at a time: ${(batch / minutes).toFixed(2)} previews/min`);
      const destroys = await Promise.all(prs.map((pr, index) => requestDestroy(replicas[index % count]!.api, pr)));
      await Promise.all(destroys.map((id, index) => replicas[index % count]!.api.finished(id, 1_800_000)));
      await Promise.all(namespaces.map((namespace) => waitNamespaceGone(ctx, namespace)));
      for (const pr of prs) previewsOf(ctx).delete(pr);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }
}
