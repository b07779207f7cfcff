/**
 * The live-weight readers against the real kube-apiserver: the object each
 * in-cluster router renders (under Pulumi mocks) is stored by the API server
 * (the VirtualService against Istio's own CRD schema) and read back by the
 * release probe through the service's KubeApi.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClusterProbe } from "../../../automation/cluster/clusterProbe";
import { kubeApiFromEnvironment } from "../../../automation/cluster/kubeApi";
import type { KubernetesWeightReader } from "../../../components/trafficSplit/routers/definition";
import { routerDefinitions } from "../../../components/trafficSplit/routers/registry";
import type { RouterSpec } from "../../../components/trafficSplit/routers/registry";
import { eventually, isNotFound, kubeClients, namespaceGone, type KubeClients } from "../../support/kube";
import { renderedObject, renderRoute } from "../../support/renderedRoute";
import { kubeconfigPath } from "../../support/toolchain";

const namespace = `rg-routers-${process.pid}`;
const virtualServiceCrd = "virtualservices.networking.istio.io";

/** The VirtualService CRD from the Istio CRD file `scripts/cluster.sh` installs (istio.io/api at the pinned version). */
function istioVirtualServiceCrd(): object {
  const file = execFileSync("bash", [resolve(__dirname, "../../../scripts/cluster.sh"), "istio-crds"], { encoding: "utf8" }).trim();
  const crd = loadAll(readFileSync(file, "utf8")).find(
    (doc) => (doc as { metadata?: { name?: string } } | null)?.metadata?.name === virtualServiceCrd,
  );
  if (!crd) throw new Error(`${file} has no ${virtualServiceCrd}`);
  return crd;
}

/**
 * The CRD through the custom objects API, which sends it as it is: the typed
 * client's model has no `x-kubernetes-int-or-string`, which Istio's schemas use.
 */
const crds = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" } as const;

const routers: readonly RouterSpec[] = [{ kind: "gateway-api" }, { kind: "istio" }, { kind: "nginx" }];

/** The release probe on the service's KubeApi, with `web` in the test namespace on router `kind`. */
function probeFor(kind: RouterSpec["kind"]): KubernetesClusterProbe {
  return new KubernetesClusterProbe(kubeApiFromEnvironment({ KUBECONFIG: kubeconfigPath() }), async () => ({ namespace, app: "web", router: kind }));
}

/**
 * The live weight once it is `expected`, or what it is after 30 s: a
 * gateway writing HTTPRoute status (the local data plane, when it runs)
 * accepts a new generation a moment after the update, and the probe waits.
 */
async function settledWeight(kind: RouterSpec["kind"], expected: number): Promise<number | string> {
  const read = () => probeFor(kind).readLiveWeight("staging");
  if (await eventually(async () => (await read()) === expected, 30_000, 250)) return expected;
  return read().catch((error: unknown) => String(error));
}

describe("live weights of the in-cluster routers against the real kube-apiserver", () => {
  let kube: KubeClients;
  let installedCrd = false;

  beforeAll(async () => {
    kube = kubeClients();
    try {
      await kube.custom.getClusterCustomObject({ ...crds, name: virtualServiceCrd });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await kube.custom.createClusterCustomObject({ ...crds, body: istioVirtualServiceCrd() });
      installedCrd = true;
    }
    const served = () =>
      kube.custom.listNamespacedCustomObject({ group: "networking.istio.io", version: "v1", namespace: "default", plural: "virtualservices" }).then(() => true);
    expect(await eventually(served, 60_000, 500)).toBe(true);
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await kube.core.deleteNamespace({ name: namespace }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000, 500)).toBe(true);
    if (installedCrd) await kube.custom.deleteClusterCustomObject({ ...crds, name: virtualServiceCrd });
  });

  /** Creates or replaces the object `reader` reads, as the router renders it for `weight`. */
  async function applyRendered(router: RouterSpec, reader: KubernetesWeightReader, weight: number): Promise<void> {
    const ref = reader.object("web");
    const { resources } = await renderRoute(router, { weight, namespace, capability: "headerRouting" });
    const body = renderedObject(resources, ref);
    if (!body) throw new Error(`the ${router.kind} router rendered no ${ref.kind} ${ref.name}`);
    const where = { group: ref.group, version: ref.version, namespace, plural: ref.plural };
    try {
      const live = (await kube.custom.getNamespacedCustomObject({ ...where, name: ref.name })) as { metadata: { resourceVersion: string } };
      const metadata = { ...(body.metadata as object), resourceVersion: live.metadata.resourceVersion };
      await kube.custom.replaceNamespacedCustomObject({ ...where, name: ref.name, body: { ...body, metadata } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await kube.custom.createNamespacedCustomObject({ ...where, body });
    }
  }

  describe.each(routers)("router $kind", (router) => {
    const reader = routerDefinitions[router.kind].liveWeight;

    it("reads back each weight the router rendered, as the API server stored it", async () => {
      if (reader === "unsupported" || reader.source !== "kubernetes") throw new Error(`${router.kind} must read its live weight from the cluster`);
      const read: Array<number | string> = [];

      for (const weight of [0, 5, 25, 50, 100]) {
        await applyRendered(router, reader, weight);
        read.push(await settledWeight(router.kind, weight));
      }

      expect(read).toEqual([0, 5, 25, 50, 100]);
    });
  });

  it("reads 0 for nginx once the canary Ingress is gone", async () => {
    await kube.custom.deleteNamespacedCustomObject({ group: "networking.k8s.io", version: "v1", namespace, plural: "ingresses", name: "web-canary" });

    expect(await probeFor("nginx").readLiveWeight("staging")).toBe(0);
  });
});
