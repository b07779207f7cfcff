/**
 * Reads of the live cluster: the environment's canary weight on its router's
 * object (the HTTPRoute as the service's probe reads it; nginx's canary
 * Ingress or Istio's VirtualService as the tests read them), a canary
 * Ingress's weight (as the nginx router reads it) and previews' objects.
 */
import { objectNames } from "../../automation/cluster/clusterProbe";
import { httpRouteCanaryWeight } from "../../components/trafficSplit/routers/gateway-api/definition";
import { canaryIngressWeight } from "../../components/trafficSplit/routers/nginx/definition";
import { namespaceGone, type KubeClients } from "../../test/support/kube";
import { previewNamespaces } from "../../test/support/previewStacks";
import { liveCanaryWeight, type InClusterRouter } from "../../test/support/routerObjects";
import { deploymentAvailable } from "../../test/support/workloads";
import { sleep } from "./progress";

/** An environment's app and the router its stack config puts it on. */
export interface WeightTarget {
  readonly namespace: string;
  readonly app: string;
  readonly router: InClusterRouter;
}

/**
 * The canary's share (0..100) on the target's router object; undefined when
 * an HTTPRoute does not exist (no canary Ingress on nginx is a share of 0).
 */
export function liveWeight(kube: KubeClients, target: WeightTarget): Promise<number | undefined> {
  if (target.router === "gateway-api") return liveRouteWeight(kube, target.namespace, target.app);
  return liveCanaryWeight(target.router, kube, { ...target, canaryService: objectNames.canary(target.app) });
}

async function liveRouteWeight(kube: KubeClients, namespace: string, app: string): Promise<number | undefined> {
  let route: unknown;
  try {
    route = await kube.custom.getNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace,
      plural: "httproutes",
      name: objectNames.route(app),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
  return httpRouteCanaryWeight(route, { stable: objectNames.stable(app), canary: objectNames.canary(app) });
}

/** The canary's share (0..100) of an ingress-nginx canary Ingress; undefined when the Ingress does not exist. */
export async function liveIngressWeight(kube: KubeClients, namespace: string, name: string): Promise<number | undefined> {
  try {
    return canaryIngressWeight(await kube.networking.readNamespacedIngress({ namespace, name }));
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
}

export interface WeightWait {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly what: string;
}

/**
 * Polls the live weight every `intervalMs` until `matches` holds; resolves
 * with the `performance.now()` of the first read that matched (the read's
 * start, so the poll interval is not added to the figure).
 */
export function whenWeight(
  kube: KubeClients,
  target: WeightTarget,
  matches: (weight: number | undefined) => boolean,
  options: WeightWait,
): Promise<{ at: number; weight: number | undefined }> {
  return whenRead(() => liveWeight(kube, target), matches, options);
}

/** `whenWeight` over any read of a live weight. */
export async function whenRead(
  read: () => Promise<number | undefined>,
  matches: (weight: number | undefined) => boolean,
  options: WeightWait,
): Promise<{ at: number; weight: number | undefined }> {
  const deadline = performance.now() + options.timeoutMs;
  let last: number | undefined | "error";
  for (;;) {
    const readAt = performance.now();
    try {
      last = await read();
      if (matches(last)) return { at: readAt, weight: last };
    } catch {
      last = "error";
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${options.what} (last live weight: ${String(last)})`);
    await sleep(options.intervalMs ?? 50);
  }
}

/** The preview's namespace once its Deployment is Available with every replica; undefined before. */
export async function previewReady(kube: KubeClients, pr: number, deployment: string): Promise<string | undefined> {
  const [namespace] = await previewNamespaces(kube.core, pr);
  if (!namespace) return undefined;
  return (await deploymentAvailable(kube.apps, namespace, deployment)) ? namespace : undefined;
}

/** True once the namespace is gone from the cluster. */
export function namespaceIsGone(kube: KubeClients, namespace: string): Promise<boolean> {
  return namespaceGone(kube.core, namespace);
}
