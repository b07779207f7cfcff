/**
 * Preview lifecycle, one at a time: POST → operation succeeded and the
 * Deployment Available; DELETE → operation succeeded and the namespace gone.
 */
import type { BenchContext } from "../lib/context";
import { benchPr, operationPhases, previewsOf, requestCreate, requestDestroy, succeeded, waitNamespaceGone, waitReady } from "../lib/previews";
import { treeCpuSeconds } from "../lib/processTree";
import { progress } from "../lib/progress";

export async function previewLifecycle(ctx: BenchContext): Promise<void> {
  const { api, service } = ctx.running();
  const create: number[] = [];
  const createCpu: number[] = [];
  const destroy: number[] = [];
  const engineCreate: number[] = [];
  const afterEngineCreate: number[] = [];
  const engineDestroy: number[] = [];
  const namespaceAfterDestroy: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    const pr = benchPr(ctx, 10 + run);
    let started = performance.now();
    const cpuBefore = treeCpuSeconds(service.pid);
    const createOp = await succeeded(api, await requestCreate(api, pr));
    const namespace = await waitReady(ctx, pr);
    create.push((performance.now() - started) / 1000);
    createCpu.push(treeCpuSeconds(service.pid) - cpuBefore);
    const createPhases = await operationPhases(api, createOp);
    if (createPhases) {
      engineCreate.push(createPhases.engine);
      afterEngineCreate.push(createPhases.after);
    }

    started = performance.now();
    const destroyOp = await succeeded(api, await requestDestroy(api, pr));
    const operationDone = performance.now();
    await waitNamespaceGone(ctx, namespace);
    destroy.push((performance.now() - started) / 1000);
    namespaceAfterDestroy.push((performance.now() - operationDone) / 1000);
    previewsOf(ctx).delete(pr);
    const destroyPhases = await operationPhases(api, destroyOp);
    if (destroyPhases) engineDestroy.push(destroyPhases.engine);
    progress(
      `preview ${run + 1}/${ctx.settings.runs} (pr ${pr}): create → ready ${create.at(-1)?.toFixed(2)} s` +
        ` (engine ${createPhases?.engine.toFixed(1) ?? "?"} s, after engine ${createPhases?.after.toFixed(1) ?? "?"} s), destroy → gone ${destroy.at(-1)?.toFixed(2)} s`,
    );
  }
  ctx.record("preview.createToReady", create, "s");
  // The service's and its engine processes' CPU for one create (its reads and idle work included).
  ctx.record("preview.createCpuSeconds", createCpu, "s");
  ctx.record("preview.destroyToGone", destroy, "s");
  ctx.record("profile.preview.createEngine", engineCreate, "s");
  ctx.record("profile.preview.createAfterEngine", afterEngineCreate, "s");
  ctx.record("profile.preview.destroyEngine", engineDestroy, "s");
  ctx.record("profile.preview.namespaceGoneAfterDestroyOp", namespaceAfterDestroy, "s");
}
