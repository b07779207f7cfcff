/**
 * The CLI baseline of a preview create: `pulumi stack init`, the stack config
 * the service would write for the same PR (`previewStackConfig` over the
 * preview template), `pulumi up --yes --skip-preview` (no policy pack), until
 * the preview's Deployment is Available, on the same backend and cluster as
 * the service. Then `destroy` and `stack rm`, until the namespace is gone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { previewStackName } from "../../automation/services/previews/naming";
import { previewStackConfig } from "../../automation/services/previews/spec";
import { processCpuSeconds } from "../../test/support/rollgateService";
import type { BenchContext } from "../lib/context";
import { previewBaseConfig, repoRoot } from "../lib/environment";
import { benchPr, benchPreviewSpec, previewsOf, waitNamespaceGone, waitReady } from "../lib/previews";
import { progress } from "../lib/progress";
import { PulumiCli } from "../lib/pulumiCli";

export async function cliPreviewLifecycle(ctx: BenchContext): Promise<void> {
  const create: number[] = [];
  const createCpu: number[] = [];
  const destroy: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    const pr = benchPr(ctx, 40 + run);
    const stack = previewStackName(pr);
    const cli = new PulumiCli(repoRoot, stack, join(ctx.env.root, "stacks", `Pulumi.${stack}.yaml`), ctx.env.root);
    let removed = false;
    const forgetStack = ctx.cleanup.defer(`remove CLI preview stack ${stack}`, async () => {
      if (removed) return;
      await cli.destroy().catch(() => undefined);
      await cli.remove(true);
    });

    let started = performance.now();
    const cpuBefore = cliCpuSeconds();
    const saltFile = await cli.init();
    writeStackConfig(cli.configFile, saltFile, pr);
    await cli.up();
    const namespace = await waitReady(ctx, pr);
    create.push((performance.now() - started) / 1000);
    createCpu.push(cliCpuSeconds() - cpuBefore);

    started = performance.now();
    await cli.destroy();
    await cli.remove();
    removed = true;
    await forgetStack();
    await waitNamespaceGone(ctx, namespace);
    destroy.push((performance.now() - started) / 1000);
    previewsOf(ctx).delete(pr);
    progress(`preview (CLI) ${run + 1}/${ctx.settings.runs} (pr ${pr}): create → ready ${create.at(-1)?.toFixed(2)} s, destroy → gone ${destroy.at(-1)?.toFixed(2)} s`);
  }
  ctx.record("preview.cli.createToReady", create, "s");
  ctx.record("preview.cli.createCpuSeconds", createCpu, "s");
  ctx.record("preview.cli.destroyToGone", destroy, "s");
}

/** The config the service writes for this PR's first create, with the stack's `encryptionsalt` from `stack init`. */
function writeStackConfig(file: string, saltFile: string, pr: number): void {
  const salt = (load(readFileSync(saltFile, "utf8")) as { encryptionsalt?: string } | undefined)?.encryptionsalt;
  const plan = { pr, spec: { ...benchPreviewSpec(pr), ttlHours: 24 }, createdAt: new Date().toISOString(), actor: "bench-cli" };
  const config = Object.fromEntries(Object.entries(previewStackConfig(plan, previewBaseConfig())).map(([key, entry]) => [key, entry.value]));
  writeFileSync(file, dump({ ...(salt ? { encryptionsalt: salt } : {}), config }));
}

/** CPU seconds of the CLI runs this process started and waited for (the CLI, its language host, plugins). */
function cliCpuSeconds(): number {
  return processCpuSeconds(process.pid)?.reapedChildren ?? 0;
}
