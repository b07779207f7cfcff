/**
 * Rollgate deploying itself on the real engine and the local cluster (whose
 * kube-apiserver authorizes with RBAC): the service program
 * (`rollgate:program: service`) creates every object, a second run changes
 * nothing, the service account's token can do what the reviewed rules grant
 * and nothing else, and destroy removes the cluster-scoped objects too.
 * KWOK runs no containers: the service's pods are simulated (marked Ready),
 * so this proves the objects and the permissions, not the process in a pod.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { serviceProgram } from "../../../infra/service/program";
import { eventually, isNotFound, kubeClients, namespaceGone } from "../../support/kube";
import { serviceAccountKubeConfig } from "../../support/serviceAccount";
import { serviceObjectName, serviceStackConfig } from "../../support/serviceStack";
import { kubeconfigPath } from "../../support/toolchain";

const namespace = `it-self-${process.pid}`;
const managed = `it-self-${process.pid}-apps`;
const stack = `it-self-${process.pid}`;
const objectName = serviceObjectName;
const stackConfig = () => serviceStackConfig({ namespace, managedNamespaces: [managed], previews: false });

/** Clients that act as the service account, with a token from the TokenRequest API. */
async function asServiceAccount(core: k8s.CoreV1Api): Promise<k8s.AuthorizationV1Api> {
  const config = await serviceAccountKubeConfig(core, { namespace, name: objectName }, 600);
  return config.makeApiClient(k8s.AuthorizationV1Api);
}

async function allowed(
  authz: k8s.AuthorizationV1Api,
  attributes: { verb: string; group?: string; resource: string; namespace?: string },
): Promise<boolean> {
  const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } });
  return review.status?.allowed === true;
}

describe("the Rollgate stack deploying the service on the local cluster", () => {
  const workspaces = mkdtempSync(join(tmpdir(), "rg-it-self-"));
  const engine = new LocalStackEngine({ program: async () => serviceProgram(), projectName: "rollgate-it-self", workspacesDir: workspaces });
  const kube = kubeClients();
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfigPath());
  const rbac = config.makeApiClient(k8s.RbacAuthorizationV1Api);
  const policy = config.makeApiClient(k8s.PolicyV1Api);

  beforeAll(async () => {
    await kube.core.createNamespace({ body: { metadata: { name: managed } } });
  });

  afterAll(async () => {
    await engine.destroy(stack).catch((error: unknown) => console.error(`[cleanup] destroy failed: ${String(error)}`));
    await kube.core.deleteNamespace({ name: managed }).catch(() => undefined);
    rmSync(workspaces, { recursive: true, force: true });
  });

  it("creates every object, with the Deployment available at 2 replicas", async () => {
    const result = await engine.up(stack, stackConfig());

    expect(result.changes.create).toBeGreaterThan(10);
    const deployment = await kube.apps.readNamespacedDeployment({ namespace, name: objectName });
    expect(deployment.status?.availableReplicas).toBe(2);
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(JSON.stringify(container?.env ?? [])).not.toContain("it-password");
    await kube.core.readNamespacedServiceAccount({ namespace, name: objectName });
    await kube.core.readNamespacedService({ namespace, name: objectName });
    await kube.networking.readNamespacedNetworkPolicy({ namespace, name: objectName });
    await policy.readNamespacedPodDisruptionBudget({ namespace, name: objectName });
    await kube.custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name: objectName });
    const secrets = await kube.core.listNamespacedSecret({ namespace });
    expect(secrets.items.length).toBeGreaterThan(0);
    await rbac.readClusterRole({ name: `${objectName}-namespaces` });
    await rbac.readClusterRole({ name: `${objectName}-workloads` });
    await rbac.readNamespacedRoleBinding({ namespace: managed, name: `${objectName}-workloads` });
  });

  it("changes nothing on a second run", async () => {
    const preview = await engine.preview(stack, stackConfig());

    expect(Object.entries(preview.changes).filter(([kind, count]) => kind !== "same" && count > 0)).toEqual([]);
  });

  it("gives the service account's token what the reviewed rules grant, and nothing else", async () => {
    const authz = await asServiceAccount(kube.core);

    expect(await allowed(authz, { verb: "create", group: "apps", resource: "deployments", namespace: managed })).toBe(true);
    expect(await allowed(authz, { verb: "patch", group: "gateway.networking.k8s.io", resource: "httproutes", namespace: managed })).toBe(true);
    expect(await allowed(authz, { verb: "create", resource: "namespaces" })).toBe(true);
    // Previews are off: no workloads outside the managed namespaces.
    expect(await allowed(authz, { verb: "create", group: "apps", resource: "deployments", namespace: "default" })).toBe(false);
    expect(await allowed(authz, { verb: "get", resource: "secrets", namespace: "kube-system" })).toBe(false);
    expect(await allowed(authz, { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterroles" })).toBe(false);
  });

  it("removes everything on destroy, cluster-scoped objects and bindings in other namespaces included", async () => {
    await engine.destroy(stack);

    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000)).toBe(true);
    for (const name of [`${objectName}-namespaces`, `${objectName}-workloads`]) {
      await expect(rbac.readClusterRole({ name })).rejects.toSatisfy(isNotFound);
    }
    await expect(rbac.readNamespacedRoleBinding({ namespace: managed, name: `${objectName}-workloads` })).rejects.toSatisfy(isNotFound);
  });
});
