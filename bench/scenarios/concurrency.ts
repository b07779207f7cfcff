/**
 * N previews created at once through the API: failures, total wall time,
 * peak RSS of the service and of its whole process tree (engine children
 * included), the queue as the operations report it, and the latency of
 * `GET /api/v1/previews` while they run. Then all destroyed at once.
 */
import { availableParallelism } from "node:os";
import type { BenchContext } from "../lib/context";
import { benchPr, previewsOf, requestCreate, requestDestroy, waitNamespaceGone, waitReady } from "../lib/previews";
import { TreeSampler, treeCpuSeconds } from "../lib/processTree";
import { progress, sleep } from "../lib/progress";

export async function concurrentPreviews(ctx: BenchContext): Promise<void> {
  const { service, api } = ctx.running();
  const count = ctx.settings.concurrency;
  const prs = Array.from({ length: count }, (_, index) => benchPr(ctx, 40 + index));
  const sampler = new TreeSampler(service.pid).start();
  let running = true;
  const latency: number[] = [];
  const reads = (async () => {
    while (running) {
      const started = performance.now();
      const response = await api.request("GET", "/api/v1/previews").catch(() => undefined);
      if (response?.status === 200) latency.push(performance.now() - started);
      await sleep(100);
    }
  })();

  progress(`concurrency: creating ${count} previews at once`);
  const started = performance.now();
  const cpuBefore = treeCpuSeconds(service.pid);
  const ids = await Promise.all(prs.map((pr) => requestCreate(api, pr)));
  let maxQueued = 0;
  let maxRunning = 0;
  let failures = 0;
  const pending = new Set(ids);
  try {
    while (pending.size > 0) {
      const statuses = await Promise.all(ids.map(async (id) => (await api.getOperation(id)).body.status));
      maxQueued = Math.max(maxQueued, statuses.filter((status) => status === "queued").length);
      maxRunning = Math.max(maxRunning, statuses.filter((status) => status === "running").length);
      statuses.forEach((status, index) => {
        const id = ids[index] as string;
        if ((status === "succeeded" || status === "failed") && pending.delete(id) && status === "failed") failures += 1;
      });
      if (performance.now() - started > 1_800_000) throw new Error(`${pending.size} operations still unfinished after 30 minutes`);
      if (pending.size > 0) await sleep(500);
    }
    await Promise.all(prs.map((pr) => waitReady(ctx, pr).catch(() => (failures += 1))));
  } finally {
    running = false;
    await reads;
    sampler.stop();
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = treeCpuSeconds(service.pid) - cpuBefore;
  progress(`concurrency: ${count} previews ready after ${wall.toFixed(1)} s, ${failures} failed; max ${maxRunning} running / ${maxQueued} queued`);
  ctx.record("concurrency.createAllWall", [wall], "s");
  ctx.record("concurrency.failures", [failures], "count", { digits: 0 });
  // The floor on this machine: the creates' CPU (service and engine processes, reads included) spread over every core.
  ctx.record("concurrency.cpuSecondsPerCreate", [cpu / count], "s");
  ctx.record("concurrency.cpuFloorWall", [cpu / availableParallelism()], "s");
  ctx.record("concurrency.peakServiceRss", [sampler.peakSelfMb], "MB", { digits: 1 });
  ctx.record("concurrency.peakTreeRss", [sampler.peakTreeMb], "MB", { digits: 1 });
  ctx.record("concurrency.peakProcesses", [sampler.peakProcesses], "count", { digits: 0 });
  ctx.record("concurrency.maxRunning", [maxRunning], "count", { digits: 0 });
  ctx.record("concurrency.maxQueued", [maxQueued], "count", { digits: 0 });
  ctx.record("api.listPreviews.underLoad", latency, "ms", { percentiles: true, digits: 1 });
  ctx.note("concurrency", "previews", count);

  progress(`concurrency: destroying the ${count} previews at once`);
  const namespaces = await Promise.all(prs.map((pr) => waitReady(ctx, pr, 5_000).catch(() => undefined)));
  const destroyStarted = performance.now();
  const destroyIds = await Promise.all(prs.map((pr) => requestDestroy(api, pr)));
  const destroyed = await Promise.all(destroyIds.map((id) => api.finished(id, 1_800_000)));
  await Promise.all(namespaces.map((namespace) => (namespace ? waitNamespaceGone(ctx, namespace) : undefined)));
  const destroyFailures = destroyed.filter((operation) => operation.status !== "succeeded").length;
  for (const [index, operation] of destroyed.entries()) if (operation.status === "succeeded") previewsOf(ctx).delete(prs[index] as number);
  ctx.record("concurrency.destroyAllWall", [(performance.now() - destroyStarted) / 1000], "s");
  if (destroyFailures > 0) throw new Error(`${destroyFailures} of ${count} concurrent destroys failed`);
}
