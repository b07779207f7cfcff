/**
 * The RBAC proof of Rollgate deploying itself: the service stack
 * (`rollgate:program: service`) is brought up on the local cluster (real
 * engine; the kube-apiserver authorizes with RBAC), and then the real service
 * process runs with only its service account's identity — a TokenRequest
 * token in a kubeconfig of its own, used by the service's cluster reads and
 * by the Pulumi Kubernetes provider of every stack it runs:
 * - the account may do what `rbacRules.ts` lists and what every
 *   authenticated account may do, nothing else (`kubectl auth can-i --list`);
 * - a full canary release in a managed namespace (RoleBinding only) succeeds;
 * - with previews on, a preview is created, ready and destroyed;
 * - with the namespaces rule removed, a preview fails with the API server's
 *   error naming the missing permission, and leaves no namespace behind.
 * KWOK runs no containers, so the service runs as a local process here rather
 * than in the Deployment's (simulated) pods; the identity is the pod's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterScopedRules, namespacedRules } from "../../../components/rollgateService/rbacRules";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { serviceProgram } from "../../../infra/service/program";
import { eventually, namespaceGone } from "../../support/kube";
import { PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import { firstImage, ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";
import { destroyThroughService, newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { allowedInNamespace, grants, serviceAccountKubeConfig, writeKubeconfig, type Grant } from "../../support/serviceAccount";
import { serviceObjectName, serviceStackConfig } from "../../support/serviceStack";
import { kubeconfigPath } from "../../support/toolchain";

const serviceNamespace = `e2e-sa-${process.pid}`;
const serviceStack = `e2e-sa-${process.pid}`;
const account = { namespace: serviceNamespace, name: serviceObjectName };
const healthyImage = "ghcr.io/rollgate/sample-app:1.1.0";
const previewPr = uniquePr(41);
const refusedPr = uniquePr(42);

describe("the Rollgate service running as its own service account", () => {
  const env = new ReleaseEnvironment(`sa-${process.pid}`);
  const workDir = mkdtempSync(join(tmpdir(), "rg-e2e-sa-"));
  const engine = new LocalStackEngine({ program: async () => serviceProgram(), projectName: "rollgate-e2e-sa", workspacesDir: join(workDir, "workspaces") });
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(kubeconfigPath());
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  const previewState = newStateDir("rg-e2e-sa-previews-");
  const previewApi = new RollgateApi(() => previewService?.url ?? "", previewState.token);
  const backend = new PreviewBackend();
  let previewService: RollgateService | undefined;
  let identity: k8s.KubeConfig;
  let kubeconfig = "";

  const upServiceStack = (previews: boolean) => engine.up(serviceStack, serviceStackConfig({ namespace: serviceNamespace, managedNamespaces: [env.namespace], previews }));

  beforeAll(async () => {
    // The environment's first deploy is an admin's (it creates the namespace the RoleBinding goes into).
    await env.deploy();
    await upServiceStack(false);
    identity = await serviceAccountKubeConfig(env.kube.core, account);
    kubeconfig = writeKubeconfig(identity, join(workDir, "kubeconfig.json"));
    await env.startService({ KUBECONFIG: kubeconfig });
  });

  afterAll(async () => {
    await destroyThroughService(previewService, previewApi, [previewPr, refusedPr]);
    await previewService?.stop();
    const leftovers = await backend.cleanUp([previewPr, refusedPr], env.kube);
    if (leftovers.length > 0) console.error(`[cleanup] previews left behind: ${leftovers.join(", ")}`);
    await engine.destroy(serviceStack).catch((error: unknown) => console.error(`[cleanup] destroy of the service stack failed: ${String(error)}`));
    await env.stop();
    backend.dispose();
    previewState.remove();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("may do what the reviewed rules list and what any authenticated account may, nothing else (can-i --list)", async () => {
    // What every authenticated account may do (self reviews), from an account with no bindings.
    const bare = `e2e-sa-bare-${process.pid}`;
    await env.kube.core.createNamespacedServiceAccount({ namespace: serviceNamespace, body: { metadata: { name: bare } } });
    const baseline = (await allowedInNamespace(await serviceAccountKubeConfig(env.kube.core, { namespace: serviceNamespace, name: bare }, 600), env.namespace)).grants;
    const expected = (rules: Parameters<typeof grants>[0]): Grant[] => [...new Set([...baseline, ...grants(rules)])].sort();

    const managed = await allowedInNamespace(identity, env.namespace);
    const elsewhere = await allowedInNamespace(identity, "default");

    expect(managed.incomplete).toBe(false);
    expect(managed.grants).toEqual(expected([...clusterScopedRules, ...namespacedRules]));
    // Previews are off: outside the managed namespaces only the namespaces rule applies.
    expect(elsewhere.grants).toEqual(expected(clusterScopedRules));
    expect(managed.grants.filter((grant) => grant.includes("*") && !baseline.includes(grant))).toEqual([]);
  });

  it("runs a full canary release in the managed namespace, promoted at 100", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });

    const started = await env.startRelease({
      image: healthyImage,
      steps: [25, 100].map((weight) => ({ weight, pauseSeconds: 10 })),
      analysis: { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 },
    });
    expect(started.status).toBe(202);
    const release = await env.settled(started.body.id, 420_000);

    expect(release, JSON.stringify({ release, output: env.service?.output.slice(-20) })).toMatchObject({
      status: "succeeded",
      image: healthyImage,
      previousImage: firstImage,
    });
    expect(await env.deploymentImage(stableName)).toBe(healthyImage);
    expect(await env.liveWeight()).toBe(0);
  });

  it("creates a preview that becomes ready, and destroys it, once previews are on", async () => {
    await upServiceStack(true);
    previewService = await RollgateProcess.start(previewState.dir, { env: { KUBECONFIG: kubeconfig } });

    const accepted = await previewApi.createPreview({ pr: previewPr, image: "ghcr.io/rollgate/sample-app:1.1.0", branch: "feature/sa", ttlHours: 1 });
    expect(accepted.status).toBe(202);
    const ready = await previewApi.settled(previewPr, accepted.body.operation.id);
    expect(ready.body, JSON.stringify(ready.body)).toMatchObject({ status: "ready", lastOperation: { status: "succeeded", error: null } });
    const [namespace] = await previewNamespaces(env.kube.core, previewPr);
    expect(namespace).toBeDefined();

    const destroyed = await previewApi.deletePreview(previewPr);
    expect(destroyed.status).toBe(202);
    expect((await previewApi.afterDestroy(previewPr, destroyed.body.operation.id)).status).toBe(404);
    expect(await eventually(() => namespaceGone(env.kube.core, namespace ?? ""), 60_000)).toBe(true);
  });

  it("fails a preview with the API server's error naming the permission once the namespaces rule is removed", async () => {
    const role = `${serviceObjectName}-namespaces`;
    const current = await rbac.readClusterRole({ name: role });
    await rbac.replaceClusterRole({ name: role, body: { ...current, rules: [] } });

    const accepted = await previewApi.createPreview({ pr: refusedPr, image: "ghcr.io/rollgate/sample-app:1.1.0", branch: "feature/sa-refused", ttlHours: 1 });
    expect(accepted.status).toBe(202);
    const operation = await previewApi.finished(accepted.body.operation.id);

    expect(operation.status).toBe("failed");
    expect(operation.error).toMatch(/namespaces "pr-\d+-[\w-]+" is forbidden/);
    expect(operation.error).toContain(`system:serviceaccount:${serviceNamespace}:${serviceObjectName}`);
    // Server-side apply: the provider creates objects with PATCH.
    expect(operation.error).toMatch(/cannot (create|patch) resource "namespaces"/);
    expect(await previewNamespaces(env.kube.core, refusedPr)).toEqual([]);
  });
});
