/**
 * A preview environment deployed by the real engine (inline program, as the
 * service runs it) to the local cluster, checked through the Kubernetes API,
 * then destroyed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import type { UpResult } from "../../../automation/engine/port";
import { previewTemplateConfig } from "../../../automation/previewTemplate";
import { previewStackConfig, type PreviewPlan } from "../../../automation/services/previews/spec";
import { program } from "../../../infra/program";
import { backendWeights, readHttpRoute } from "../../support/gatewayApi";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { Timings } from "../../support/timing";
import { kubeconfigPath } from "../../support/toolchain";
import { deploymentAvailable } from "../../support/workloads";

// The pid as PR number keeps host name, namespace and stack apart from concurrent runs.
const pr = process.pid;
const stack = `it-preview-${process.pid}`;
const app = "sample-app";
const template = previewTemplateConfig();
const previewDomain = template["rollgate:previewDomain"] ?? "";
const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");
const plan: PreviewPlan = {
  pr,
  spec: {
    image: `ghcr.io/rollgate/sample-app:pr-${pr}`,
    branch: `feature/IT_Preview ${pr}`,
    commitSha: "0123456789abcdef0123456789abcdef01234567",
    ttlHours: 24,
  },
  createdAt,
  actor: "integration-test",
};
const expiresAt = new Date(Date.parse(createdAt) + 24 * 3_600_000).toISOString();
const hostname = `pr-${pr}.${previewDomain}`;

function networkingClient(): k8s.NetworkingV1Api {
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfigPath());
  return config.makeApiClient(k8s.NetworkingV1Api);
}

const policiesDir = resolve(__dirname, "../../../policies");

describe("a preview environment on the local cluster", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-it-preview-"));
  // As the service runs it: the policy pack on every preview and update, with the preview environment's config.
  const engine = new LocalStackEngine({
    program,
    workspacesDir,
    policyPacks: [policiesDir],
    policyPackConfig: () => join(policiesDir, "config", "preview.json"),
  });
  const { core, apps, custom } = kubeClients();
  const timings = new Timings("preview");
  const networking = networkingClient();
  let created: UpResult;
  let namespace: string;

  beforeAll(async () => {
    expect(previewDomain).not.toBe("");
    created = await timings.measure("up (create → ready)", () =>
      engine.up(stack, previewStackConfig(plan, template)),
    );
    namespace = String(created.outputs.namespace);
  });

  afterAll(async () => {
    // Idempotent: a no-op when the last test already destroyed the stack.
    await engine.destroy(stack);
    rmSync(workspacesDir, { recursive: true, force: true });
    console.info(`[timing] summary\n${timings.summary()}`);
  });

  it("names the namespace after the PR and branch with a random suffix", () => {
    expect(namespace).toMatch(new RegExp(`^pr-${pr}-feature-it-preview-${pr}-[a-z0-9]{6}$`));
  });

  it("returns the preview's URL, namespace, image and metadata as stack outputs", () => {
    expect(created.outputs).toMatchObject({
      environment: "preview",
      app,
      router: "gateway-api",
      url: `http://${hostname}`,
      namespace,
      image: plan.spec.image,
      stableImage: plan.spec.image,
      canaryWeight: 0,
      stableWeight: 100,
      deploymentName: `${app}-preview`,
      pr,
      branch: plan.spec.branch,
      commitSha: plan.spec.commitSha,
      createdAt,
      expiresAt,
    });
  });

  it("labels and annotates the namespace with PR, branch, commit and expiry", async () => {
    const { metadata } = await core.readNamespace({ name: namespace });
    expect(metadata?.labels).toMatchObject({
      "rollgate.dev/environment": "preview",
      "rollgate.dev/pr": String(pr),
      "app.kubernetes.io/managed-by": "rollgate",
      "app.kubernetes.io/part-of": app,
    });
    expect(metadata?.annotations).toMatchObject({
      "rollgate.dev/branch": plan.spec.branch,
      "rollgate.dev/commit-sha": plan.spec.commitSha,
      "rollgate.dev/created-at": createdAt,
      "rollgate.dev/expires-at": expiresAt,
      "rollgate.dev/ttl-hours": "24",
    });
  });

  it("runs the PR's image in an available Deployment", async () => {
    expect(await deploymentAvailable(apps, namespace, `${app}-preview`)).toBe(true);
    const deployment = await apps.readNamespacedDeployment({ name: `${app}-preview`, namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(plan.spec.image);
    expect(deployment.metadata?.annotations).toMatchObject({
      "rollgate.dev/expires-at": expiresAt,
      "rollgate.dev/deployed-by": "integration-test",
    });
  });

  it("exposes the Deployment through a ClusterIP Service", async () => {
    const service = await core.readNamespacedService({ name: `${app}-preview`, namespace });
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.selector).toEqual({ "app.kubernetes.io/name": app, "rollgate.dev/track": "preview" });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 8080, targetPort: "http" });
  });

  it("routes pr-<n>.<previewDomain> through the shared Gateway to the Service", async () => {
    const route = await readHttpRoute(custom, namespace, app);
    expect(route.spec.hostnames).toEqual([hostname]);
    expect(route.spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "rollgate-gateway", namespace: "rollgate-system" },
    ]);
    expect(backendWeights(route)).toEqual({ [`${app}-preview`]: 100 });
  });

  it("bounds the namespace with a ResourceQuota and a LimitRange", async () => {
    const quota = await core.readNamespacedResourceQuota({ name: "preview-quota", namespace });
    expect(quota.spec?.hard).toMatchObject({ pods: "10", "services.loadbalancers": "0", "services.nodeports": "0" });
    const limits = await core.readNamespacedLimitRange({ name: "preview-limits", namespace });
    expect(limits.spec?.limits[0]).toMatchObject({ type: "Container", max: { cpu: "1", memory: "1Gi" } });
  });

  it("isolates the namespace with a NetworkPolicy that admits only itself and the gateway's namespace", async () => {
    const policy = await networking.readNamespacedNetworkPolicy({ name: "preview-isolation", namespace });
    expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec?.ingress).toEqual([
      { _from: [{ podSelector: {} }] },
      { _from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "rollgate-system" } } }] },
    ]);
  });

  it("changes nothing when brought up again with the same config", async () => {
    const again = await timings.measure("up (unchanged)", () => engine.up(stack, previewStackConfig(plan, template)));
    expect(Object.keys(again.changes)).toEqual(["same"]);
  });

  it("keeps the namespace and expiry when a new commit is deployed", async () => {
    const next: PreviewPlan = {
      ...plan,
      spec: {
        ...plan.spec,
        image: `ghcr.io/rollgate/sample-app:pr-${pr}-2`,
        commitSha: "89abcdef0123456789abcdef0123456789abcdef",
      },
    };
    const updated = await timings.measure("up (new commit)", () =>
      engine.up(stack, previewStackConfig(next, template)),
    );
    expect(updated.outputs).toMatchObject({
      namespace,
      image: next.spec.image,
      commitSha: next.spec.commitSha,
      expiresAt,
    });
    expect(updated.changes.create ?? 0).toBe(0);
    expect(updated.changes.delete ?? 0).toBe(0);
    expect(await deploymentAvailable(apps, namespace, `${app}-preview`)).toBe(true);
    const deployment = await apps.readNamespacedDeployment({ name: `${app}-preview`, namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(next.spec.image);
    const { metadata } = await core.readNamespace({ name: namespace });
    expect(metadata?.annotations?.["rollgate.dev/commit-sha"]).toBe(next.spec.commitSha);
  });

  it("destroys the namespace and removes the stack from the backend", async () => {
    await timings.measure("destroy", () => engine.destroy(stack));
    expect(await eventually(() => namespaceGone(core, namespace), 120_000)).toBe(true);
    expect((await engine.list()).map((summary) => summary.name)).not.toContain(stack);
  });
});
