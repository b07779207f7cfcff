/**
 * The traffic brake on each in-cluster router, against the real engine and
 * kube-apiserver: an environment stack with a canary at 25 % is deployed by
 * the program; the release probe's brake patches the router's live object
 * (the canary reads 0 at once, checked by the test's own reader), and then
 * the stack update that records weight 0 succeeds over the patch, after which
 * a preview shows no changes. The next release's update raises the weight
 * again (the update takes the brake's fields back), and a brake left
 * unrecorded, as a crash would leave it, is repaired by what recovery does:
 * brake again, then record.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClusterProbe } from "../../../automation/cluster/clusterProbe";
import { kubeApiFromEnvironment } from "../../../automation/cluster/kubeApi";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import type { StackEngine } from "../../../automation/engine/port";
import { program } from "../../../infra/program";
import { IngressAddressPublisher } from "../../support/ingressAddress";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { liveCanaryWeight, routerStackConfig, type InClusterRouter } from "../../support/routerObjects";
import { releaseStackConfig } from "../../support/stackConfig";
import { kubeconfigPath } from "../../support/toolchain";

const app = "web";
const routers: readonly InClusterRouter[] = ["gateway-api", "nginx", "istio"];

/** What a preview reports besides unchanged resources. */
async function pendingChanges(engine: StackEngine, stack: string, config: Parameters<StackEngine["preview"]>[1]): Promise<[string, number][]> {
  const preview = await engine.preview(stack, config);
  return Object.entries(preview.changes).filter(([kind, count]) => kind !== "same" && count > 0);
}

describe.each(routers)("the traffic brake on the %s router", (router) => {
  const namespace = `rg-brake-${router}-${process.pid}`;
  const stack = `it-brake-${router}-${process.pid}`;
  const workspaces = mkdtempSync(join(tmpdir(), "rg-it-brake-"));
  const engine = new LocalStackEngine({ program, workspacesDir: workspaces });
  const kube = kubeClients();
  const probe = new KubernetesClusterProbe(kubeApiFromEnvironment({ KUBECONFIG: kubeconfigPath() }), async () => ({ namespace, app, router }));
  const ingressAddresses = router === "nginx" ? new IngressAddressPublisher(namespace) : undefined;
  const live = () => liveCanaryWeight(router, kube, { namespace, app, canaryService: `${app}-canary` });
  const config = (weight: number) =>
    releaseStackConfig(
      { environment: "staging", app, namespace, stableImage: "ghcr.io/rollgate/sample-app:1.0.0" },
      {
        ...routerStackConfig(router),
        "rollgate:domain": "rollgate.localhost",
        "rollgate:canaryImage": "ghcr.io/rollgate/sample-app:1.1.0",
        "rollgate:canaryWeight": String(weight),
      },
    );

  beforeAll(async () => {
    ingressAddresses?.start();
    await engine.up(stack, config(25));
    expect(await live()).toBe(25);
  });

  afterAll(async () => {
    await engine.destroy(stack).catch((error: unknown) => console.error(`[cleanup] destroy failed: ${String(error)}`));
    ingressAddresses?.stop();
    rmSync(workspaces, { recursive: true, force: true });
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000, 500)).toBe(true);
  });

  it("sends the canary nothing on the live object at once; the update that records 0 succeeds over it and a preview then shows no changes", async () => {
    const started = performance.now();
    const result = await probe.brake?.("staging");
    const brakeMs = performance.now() - started;
    const afterBrake = await live();
    console.info(`[timing] ${router} brake: ${brakeMs.toFixed(1)} ms`);

    expect(result).toMatchObject({ braked: true });
    expect(afterBrake).toBe(0);
    await engine.up(stack, config(0));
    expect(await pendingChanges(engine, stack, config(0))).toEqual([]);
    expect(await live()).toBe(0);
  });

  it("lets the next release's update raise the weight again: the update takes the brake's fields back", async () => {
    await engine.up(stack, config(25));

    expect(await live()).toBe(25);
    expect(await pendingChanges(engine, stack, config(25))).toEqual([]);
  });

  it("repairs a brake a crash left unrecorded the way recovery does: brake again, then record 0", async () => {
    await probe.brake?.("staging");
    // The process dies here: the live object says 0, the stack still 25. Recovery repeats the rollback.
    expect(await live()).toBe(0);

    expect(await probe.brake?.("staging")).toMatchObject({ braked: true });
    await engine.up(stack, config(0));

    expect(await live()).toBe(0);
    expect(await pendingChanges(engine, stack, config(0))).toEqual([]);
  });
});
