import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeApiFromEnvironment, type KubeApi } from "../../../automation/cluster/kubeApi";
import { deploymentWaiter } from "../../../automation/cluster/deploymentWaiter";
import { eventually, kubeClients, namespaceGone, type KubeClients } from "../../support/kube";
import { kubeconfigPath } from "../../support/toolchain";

const namespace = `rg-kubeapi-${process.pid}`;

describe("the service's Kubernetes reads against the real kube-apiserver", () => {
  let kube: KubeClients;
  let api: KubeApi;

  beforeAll(async () => {
    kube = kubeClients();
    api = kubeApiFromEnvironment({ KUBECONFIG: kubeconfigPath() });
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "registry.local/web:1.0.0" }] } },
        },
      },
    });
    await kube.custom.createNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace,
      plural: "httproutes",
      body: {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "web" },
        spec: { rules: [{ backendRefs: [{ name: "web-stable", port: 80, weight: 75 }, { name: "web-canary", port: 80, weight: 25 }] }] },
      },
    });
  });

  afterAll(async () => {
    await kube.core.deleteNamespace({ name: namespace });
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000, 500)).toBe(true);
  });

  it("answers the cluster's version with the kubeconfig's CA and token", async () => {
    expect(await api.version.getCode()).toMatchObject({ major: "1", gitVersion: expect.stringMatching(/^v1\.\d+\.\d+/) as unknown });
  });

  it("reads a Deployment and waits for it to be available on the simulated node", async () => {
    const deployment = await api.apps.readNamespacedDeployment({ namespace, name: "web" });
    expect(deployment.metadata?.name).toBe("web");
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("registry.local/web:1.0.0");

    await deploymentWaiter(api.apps, 60_000)(namespace, "web");
    expect((await api.apps.readNamespacedDeployment({ namespace, name: "web" })).status?.availableReplicas).toBe(1);
  });

  it("reads a custom object (the HTTPRoute) and fails with code 404 for a missing one", async () => {
    const route = (await api.custom.getNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace,
      plural: "httproutes",
      name: "web",
    })) as { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    expect(route.spec.rules[0]?.backendRefs.map((ref) => ref.weight)).toEqual([75, 25]);

    await expect(api.apps.readNamespacedDeployment({ namespace, name: "missing" })).rejects.toMatchObject({ code: 404 });
  });

  it("lists namespaces by label and deletes one", async () => {
    const labelled = `${namespace}-labelled`;
    const labelSelector = `rollgate.dev/test-run=${process.pid}`;
    await kube.core.createNamespace({ body: { metadata: { name: labelled, labels: { "rollgate.dev/test-run": String(process.pid) } } } });

    const listed = await api.core.listNamespace({ labelSelector });
    await api.core.deleteNamespace({ name: labelled });

    expect(listed.items.map((item) => item.metadata?.name)).toEqual([labelled]);
    expect(await eventually(() => namespaceGone(kube.core, labelled), 60_000, 500)).toBe(true);
    await expect(api.core.deleteNamespace({ name: labelled })).rejects.toMatchObject({ code: 404 });
  });
});
