/**
 * A preview create killed right after the cluster created its namespace and
 * before Pulumi recorded it: the checkpoint has a pending `creating` operation
 * and none of the namespace's objects. `recover` clears the pending create
 * (there is no id to refresh), so a destroy of the stack does not know the
 * namespace and leaves it, with everything in it, behind. The service's sweep
 * (after each preview destroy, and by the reaper) finds it by the labels the
 * program sets and deletes it.
 *
 * Real engine, real program, real cluster. The crash's checkpoint is written
 * by the test (the window between the namespace's create and its record is a
 * few milliseconds, too short to hit with a SIGKILL reliably); the SIGKILL of
 * a real service mid-create is test/e2e/previews/crashRecovery.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeApiFromEnvironment } from "../../../automation/cluster/kubeApi";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { previewStackName } from "../../../automation/services/previews/naming";
import { previewNamespacesIn, sweepPreviewNamespaces } from "../../../automation/services/previews/previewNamespaces";
import { previewStackConfig } from "../../../automation/services/previews/spec";
import { previewTemplateConfig } from "../../../automation/previewTemplate";
import { program } from "../../../infra/program";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { previewNamespaces, uniquePr } from "../../support/previewStacks";
import { kubeconfigPath } from "../../support/toolchain";

const pr = uniquePr(71);
const stack = previewStackName(pr);

interface CheckpointResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly deletedWith?: string;
  readonly inputs?: { readonly metadata?: { readonly name?: string; readonly namespace?: string } };
}

describe("sweeping what a preview create that crashed before recording its namespace left", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-crashed-create-"));
  const backendDir = mkdtempSync(join(tmpdir(), "rg-crashed-create-state-"));
  const savedBackend = process.env.PULUMI_BACKEND_URL;
  const engine = new LocalStackEngine({ program, workspacesDir });
  const { core } = kubeClients();
  const namespaces = previewNamespacesIn(kubeApiFromEnvironment({ KUBECONFIG: kubeconfigPath() }));

  beforeAll(() => {
    process.env.PULUMI_BACKEND_URL = `file://${backendDir}`;
  });

  afterAll(async () => {
    await engine.destroy(stack).catch(() => undefined);
    for (const name of await previewNamespaces(core, pr)) await core.deleteNamespace({ name }).catch(() => undefined);
    if (savedBackend === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = savedBackend;
    rmSync(workspacesDir, { recursive: true, force: true });
    rmSync(backendDir, { recursive: true, force: true });
  });

  it("leaves the unrecorded namespace after recover and destroy, and the sweep deletes it", async () => {
    const plan = { pr, spec: { image: "ghcr.io/rollgate/sample-app:1.0.0", ttlHours: 1 }, createdAt: new Date().toISOString(), actor: "it" };
    await engine.up(stack, previewStackConfig(plan, previewTemplateConfig()));
    const [namespace] = await previewNamespaces(core, pr);
    expect(namespace).toBeDefined();
    forgetNamespace(namespace!);

    await engine.recover(stack);
    await engine.destroy(stack);

    // The destroy did not know the namespace: it and its objects are still there, labelled with the PR.
    expect(await previewNamespaces(core, pr)).toEqual([namespace]);
    expect((await namespaces.list(pr)).map((found) => found.name)).toEqual([namespace]);

    expect(await sweepPreviewNamespaces(namespaces, pr)).toEqual([namespace]);
    expect(await eventually(() => namespaceGone(core, namespace!), 60_000, 500)).toBe(true);
    expect(await sweepPreviewNamespaces(namespaces, pr)).toEqual([]);
  });

  /**
   * Rewrites the checkpoint as a SIGKILL right after the namespace's create leaves it: the namespace pending
   * `creating`, it and the objects in it unrecorded (they are created after it, so a crash then has none),
   * and so is everything that waits on one of them (a component that depends on the namespace's quota is
   * registered only once the quota exists): the engine refuses a checkpoint that refers to a missing resource.
   */
  function forgetNamespace(name: string): void {
    const file = join(backendDir, ".pulumi", "stacks", "rollgate", `${stack}.json`);
    const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
      checkpoint: { latest: { resources: CheckpointResource[]; pending_operations?: unknown[] } };
    };
    const { latest } = checkpoint.checkpoint;
    const isNamespace = (resource: CheckpointResource) => resource.type === "kubernetes:core/v1:Namespace" && resource.inputs?.metadata?.name === name;
    const namespaceResource = latest.resources.find(isNamespace);
    expect(namespaceResource).toBeDefined();
    latest.resources = withoutDependentsOf(
      latest.resources,
      latest.resources.filter((resource) => isNamespace(resource) || resource.inputs?.metadata?.namespace === name),
    );
    latest.pending_operations = [{ resource: namespaceResource, type: "creating" }];
    writeFileSync(file, JSON.stringify(checkpoint));
  }
});

function withoutDependentsOf(resources: readonly CheckpointResource[], removed: readonly CheckpointResource[]): CheckpointResource[] {
  const gone = new Set(removed.map((resource) => resource.urn));
  const refersToGone = (resource: CheckpointResource) =>
    [
      resource.parent,
      resource.deletedWith,
      resource.provider?.split("::").slice(0, -1).join("::"),
      ...(resource.dependencies ?? []),
      ...Object.values(resource.propertyDependencies ?? {}).flat(),
    ].some((urn) => urn !== undefined && gone.has(urn));
  let kept = resources.filter((resource) => !gone.has(resource.urn));
  for (;;) {
    const next = kept.filter((resource) => !refersToGone(resource));
    if (next.length === kept.length) return next;
    for (const resource of kept) if (refersToGone(resource)) gone.add(resource.urn);
    kept = next;
  }
}
