/** The idle service: RSS of the process (and of its tree), and API read latency with nothing running. */
import type { BenchContext } from "../lib/context";
import { treeMemory } from "../lib/processTree";
import { progress, sleep } from "../lib/progress";

export async function idleFootprint(ctx: BenchContext, label: "idle" | "idleAfterRun"): Promise<void> {
  const { service, api } = ctx.running();
  await sleep(3000);
  const self: number[] = [];
  const tree: number[] = [];
  for (let sample = 0; sample < 10; sample++) {
    const memory = treeMemory(service.pid);
    self.push(memory.selfMb);
    tree.push(memory.treeMb);
    await sleep(300);
  }
  const suffix = label === "idle" ? "" : "AfterRun";
  ctx.record(`footprint.idleRss${suffix}`, self, "MB", { digits: 1 });
  ctx.record(`footprint.idleTreeRss${suffix}`, tree, "MB", { digits: 1 });
  if (label === "idle") {
    const latency: number[] = [];
    for (let request = 0; request < 20; request++) {
      const started = performance.now();
      const response = await api.request("GET", "/api/v1/previews");
      if (response.status !== 200) throw new Error(`GET /api/v1/previews answered ${response.status}`);
      latency.push(performance.now() - started);
    }
    ctx.record("api.listPreviews.idle", latency, "ms", { percentiles: true, digits: 1 });
  }
  progress(`footprint (${label}): service RSS ${self.at(-1)?.toFixed(1)} MB, process tree ${tree.at(-1)?.toFixed(1)} MB`);
}
