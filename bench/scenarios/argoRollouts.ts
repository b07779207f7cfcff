/**
 * Argo Rollouts side by side (issue #17): the upstream controller, built
 * from the Go module proxy, runs against the same local cluster with its
 * built-in NGINX Ingress traffic routing. There is no ingress controller:
 * what is timed is the `canary-weight` annotation on the live canary
 * Ingress that Argo creates (`<rollout>-<stable ingress>-canary`), read the
 * way Rollgate's nginx router reads its own.
 *
 * - Weight step: a Rollout paused between `setWeight` steps; timed from the
 *   promote (the status patch `kubectl argo rollouts promote` sends) until
 *   the annotation shows the next weight.
 * - Abort: a new revision at its first weight; timed from the abort (the
 *   status patch `kubectl argo rollouts abort` sends) until the annotation
 *   shows 0 or the canary Ingress is gone.
 *
 * One replica, so the canary ReplicaSet never grows between steps and the
 * figure is the routing step alone. KWOK marks the pods Ready.
 */
import { KubeClient } from "../../automation/cluster/kubeClient";
import { loadKubeConnection } from "../../automation/cluster/kubeConfig";
import { list, record } from "../../components/untyped";
import { applyArgoCrds, ArgoController, buildArgoRollouts } from "../lib/argoController";
import { liveIngressWeight, whenRead } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { STABLE_IMAGE } from "../lib/environment";
import { progress, until } from "../lib/progress";
import { weightSequence } from "../lib/weights";

const APP = "argo-app";
const STABLE_INGRESS = APP;
/** utils/ingress.GetCanaryIngressName in argo-rollouts. */
const CANARY_INGRESS = `${APP}-${STABLE_INGRESS}-canary`;
const ROLLOUTS = "/apis/argoproj.io/v1alpha1";
const POLL_MS = 10;
const WAIT_MS = 120_000;

export async function argoRolloutsScenario(ctx: BenchContext): Promise<void> {
  progress("argo rollouts: building the controller (cached after the first build)");
  const started = performance.now();
  const dir = await buildArgoRollouts();
  ctx.note("argoRollouts", "build", { dir, secondsIncludingCacheCheck: Math.round((performance.now() - started) / 100) / 10 });
  await applyArgoCrds(dir);

  const namespace = `argo-bench-${process.pid}`;
  await ctx.kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  ctx.cleanup.defer(`delete namespace ${namespace}`, () => ctx.kube.core.deleteNamespace({ name: namespace }));
  const controller = await ArgoController.start(dir, namespace);
  ctx.cleanup.defer(`stop the Argo Rollouts controller (pid ${controller.pid ?? "?"})`, () => controller.stop());
  progress(`argo rollouts: controller pid ${controller.pid ?? "?"} watching ${namespace}`);

  const rollout = new ArgoRollout(ctx, namespace, weightSequence(ctx.settings.runs + 1));
  try {
    await rollout.create();
    await weightSteps(ctx, rollout);
    await aborts(ctx, rollout);
  } catch (error) {
    progress(`argo rollouts: controller log tail:\n${controller.describe()}`);
    throw error;
  }
}

async function weightSteps(ctx: BenchContext, rollout: ArgoRollout): Promise<void> {
  const [first, ...rest] = rollout.weights;
  if (first === undefined) return;
  await rollout.newRevision("ghcr.io/rollgate/sample-app:argo-steps");
  await rollout.pausedAt(0, first);
  const samples: number[] = [];
  let from = first;
  for (const [index, weight] of rest.entries()) {
    const started = performance.now();
    const live = rollout.whenWeight((w) => w === weight, `Argo weight ${weight}%`);
    await rollout.promote();
    const seen = await live;
    samples.push((seen.at - started) / 1000);
    progress(`argo rollouts weight step ${index + 1}/${rest.length}: ${from}% → ${weight}% live after ${((seen.at - started) / 1000).toFixed(3)} s`);
    await rollout.pausedAt(index + 1, weight);
    from = weight;
  }
  ctx.record("argo.weightStep", samples, "s");
}

async function aborts(ctx: BenchContext, rollout: ArgoRollout): Promise<void> {
  const first = rollout.weights[0] ?? 0;
  const samples: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    await rollout.newRevision(`ghcr.io/rollgate/sample-app:argo-abort-${run + 1}`);
    await rollout.pausedAt(0, first);
    const started = performance.now();
    const back = rollout.whenWeight((w) => w === undefined || w === 0, "Argo canary weight back to 0");
    await rollout.abort();
    const seen = await back;
    samples.push((seen.at - started) / 1000);
    progress(`argo rollouts abort ${run + 1}/${ctx.settings.runs}: ${first}% → ${seen.weight ?? "no canary Ingress"} after ${((seen.at - started) / 1000).toFixed(3)} s`);
  }
  ctx.record("argo.abort", samples, "s");
  ctx.note("argoRollouts", "path", `Rollout with setWeight/pause steps ${rollout.weights.join("/")}%, nginx stableIngress, 1 replica; polled every ${POLL_MS} ms`);
}

/** The Rollout under test, its Services and stable Ingress, and the patches the kubectl plugin sends. */
class ArgoRollout {
  private readonly client = new KubeClient(loadKubeConnection(process.env));
  private readonly path: string;

  constructor(
    private readonly ctx: BenchContext,
    private readonly namespace: string,
    readonly weights: readonly number[],
  ) {
    this.path = `${ROLLOUTS}/namespaces/${namespace}/rollouts/${APP}`;
  }

  async create(): Promise<void> {
    const { core, networking, custom } = this.ctx.kube;
    const { namespace } = this;
    for (const track of ["stable", "canary"]) {
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: `${APP}-${track}` },
          spec: { selector: { app: APP }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        },
      });
    }
    await networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: STABLE_INGRESS },
        spec: {
          ingressClassName: "nginx",
          rules: [
            {
              host: "argo.bench.local",
              http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: `${APP}-stable`, port: { number: 80 } } } }] },
            },
          ],
        },
      },
    });
    await custom.createNamespacedCustomObject({
      group: "argoproj.io",
      version: "v1alpha1",
      namespace,
      plural: "rollouts",
      body: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: APP },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: APP } },
          template: podTemplate(STABLE_IMAGE),
          strategy: {
            canary: {
              canaryService: `${APP}-canary`,
              stableService: `${APP}-stable`,
              trafficRouting: { nginx: { stableIngress: STABLE_INGRESS } },
              steps: this.weights.flatMap((weight) => [{ setWeight: weight }, { pause: {} }]),
            },
          },
        },
      },
    });
    await until("the Rollout's first revision to be Healthy", async () => ((await this.status()).phase === "Healthy" ? true : undefined), WAIT_MS);
    progress(`argo rollouts: Rollout ${APP} healthy on ${STABLE_IMAGE}`);
  }

  /** A new pod template: the canary starts at the first step. */
  async newRevision(image: string): Promise<void> {
    await this.client.mergePatch(this.path, { spec: { template: podTemplate(image) } });
  }

  /** Waits until the canary Ingress carries `weight` and the Rollout is paused at the pause after setWeight number `index`. */
  async pausedAt(index: number, weight: number): Promise<void> {
    await this.whenWeight((w) => w === weight, `Argo weight ${weight}%`);
    await until(
      `the Rollout paused at step ${2 * index + 1}`,
      async () => {
        const status = await this.status();
        return status.currentStepIndex === 2 * index + 1 && status.paused ? true : undefined;
      },
      WAIT_MS,
      POLL_MS,
    );
  }

  /** `kubectl argo rollouts promote` on a Rollout paused at a `pause: {}` step: clear the pause conditions. */
  async promote(): Promise<void> {
    await this.client.mergePatch(`${this.path}/status`, { status: { pauseConditions: null } });
  }

  /** `kubectl argo rollouts abort`. */
  async abort(): Promise<void> {
    await this.client.mergePatch(`${this.path}/status`, { status: { abort: true } });
  }

  whenWeight(matches: (weight: number | undefined) => boolean, what: string): Promise<{ at: number; weight: number | undefined }> {
    return whenRead(() => liveIngressWeight(this.ctx.kube, this.namespace, CANARY_INGRESS), matches, { timeoutMs: WAIT_MS, intervalMs: POLL_MS, what });
  }

  private async status(): Promise<{ phase?: unknown; currentStepIndex?: unknown; paused: boolean }> {
    const status = record(record(await this.client.get(this.path)).status);
    return { phase: status.phase, currentStepIndex: status.currentStepIndex, paused: list(status.pauseConditions).length > 0 };
  }
}

function podTemplate(image: string): Record<string, unknown> {
  return {
    metadata: { labels: { app: APP } },
    spec: { containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }] },
  };
}
