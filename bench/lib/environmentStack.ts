/** The environment stack (`staging` of `bench-app`): created and first deployed with the CLI, destroyed at the end. */
import type { BenchContext } from "./context";
import { ENVIRONMENT } from "./environment";
import { progress, secondsSince, sleep } from "./progress";
import { namespaceIsGone } from "./cluster";
import { IngressAddressPublisher } from "../../test/support/ingressAddress";

export async function deployEnvironmentStack(ctx: BenchContext): Promise<void> {
  const { cli } = ctx.env;
  progress(`environment stack: pulumi stack init ${ENVIRONMENT.stack}; first deploy (stable only, router ${ctx.settings.router}) into namespace ${ENVIRONMENT.namespace}`);
  if (!(await namespaceIsGone(ctx.kube, ENVIRONMENT.namespace))) {
    throw new Error(`namespace ${ENVIRONMENT.namespace} already exists: another benchmark runs, or one left it behind (kubectl delete namespace ${ENVIRONMENT.namespace})`);
  }
  ctx.env.writeStackConfig(await cli.init(), ctx.settings.router);
  if (ctx.settings.router === "nginx") {
    // Pulumi's Kubernetes provider waits for an Ingress's address; no ingress-nginx runs here, so the local gateway's status writer publishes it.
    const addresses = new IngressAddressPublisher(ENVIRONMENT.namespace);
    addresses.start();
    ctx.cleanup.defer("stop publishing Ingress addresses", async () => addresses.stop());
  }
  ctx.cleanup.defer("destroy the environment stack", () => destroyEnvironmentStack(ctx));
  const started = performance.now();
  await cli.up();
  ctx.record("setup.cliFirstDeploy", [secondsSince(started)], "s");
}

async function destroyEnvironmentStack(ctx: BenchContext): Promise<void> {
  const { cli } = ctx.env;
  try {
    await ctx.env.pullStackConfig();
    await cli.destroy();
    await cli.remove();
  } catch (error) {
    progress(`environment stack: destroy failed, removing it by force: ${(error as Error).message.split("\n")[0]}`);
    await cli.cancel().catch(() => undefined);
    await cli.remove(true).catch(() => undefined);
  }
  if (!(await namespaceIsGone(ctx.kube, ENVIRONMENT.namespace))) {
    await ctx.kube.core.deleteNamespace({ name: ENVIRONMENT.namespace }).catch(() => undefined);
    for (let wait = 0; wait < 120 && !(await namespaceIsGone(ctx.kube, ENVIRONMENT.namespace)); wait++) await sleep(500);
  }
}
