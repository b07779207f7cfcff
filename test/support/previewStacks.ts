/**
 * Preview stacks in the project's backend and their namespaces in the local
 * cluster, as end-to-end tests check and clean them up: the engine (same
 * program the service runs) for listing and destroying, the `pulumi` CLI for
 * what the engine port does not offer (history, export/import, `stack rm`).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import { LocalStackEngine } from "../../automation/engine/localStackEngine";
import { previewStackName } from "../../automation/services/previews/naming";
import { program } from "../../infra/program";
import { isNotFound, type KubeClients } from "./kube";

const run = promisify(execFile);

/** PR numbers unique to this test process (and distinct per `slot`), so concurrent runs never share a stack. */
export function uniquePr(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot > 99) throw new Error("slot must be 0..99");
  return process.pid * 100 + slot;
}

/** The engine the service uses, in a workspace of its own; project `rollgate`, so it sees the service's stacks. */
export class PreviewBackend {
  private readonly workDir = mkdtempSync(join(tmpdir(), "rg-e2e-backend-"));
  readonly engine = new LocalStackEngine({ program, workspacesDir: join(this.workDir, "workspaces") });

  constructor() {
    // A project directory for `pulumi` commands that take no program.
    writeFileSync(join(this.workDir, "Pulumi.yaml"), "name: rollgate\nruntime: nodejs\n");
  }

  async stackNames(): Promise<string[]> {
    return (await this.engine.list()).map((summary) => summary.name.slice(summary.name.lastIndexOf("/") + 1));
  }

  async hasStack(pr: number): Promise<boolean> {
    return (await this.stackNames()).includes(previewStackName(pr));
  }

  /** `pulumi <args>` against the backend, from the project directory. */
  async pulumi(...args: string[]): Promise<string> {
    const { stdout } = await run("pulumi", [...args, "--non-interactive"], { cwd: this.workDir, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** The stack's update history, newest first (`pulumi stack history --json`). */
  async history(pr: number): Promise<{ kind: string; result: string; resourceChanges?: Record<string, number> }[]> {
    return JSON.parse(await this.pulumi("stack", "history", "--stack", previewStackName(pr), "--output", "json", "--page-size", "100")) as {
      kind: string;
      result: string;
      resourceChanges?: Record<string, number>;
    }[];
  }

  /** An operation that takes the stack's lock: export the state and import it back. Throws when the stack is locked. */
  async exportImport(pr: number): Promise<void> {
    const file = join(this.workDir, `${previewStackName(pr)}.json`);
    await this.pulumi("stack", "export", "--stack", previewStackName(pr), "--file", file);
    await this.pulumi("stack", "import", "--stack", previewStackName(pr), "--file", file);
  }

  /**
   * Leaves nothing of these previews behind: destroys each stack that still
   * exists (forcing `stack rm` if the destroy fails) and deletes namespaces
   * still labelled with their PR. Returns what it had to clean up.
   */
  async cleanUp(prs: readonly number[], kube: KubeClients): Promise<string[]> {
    const cleaned: string[] = [];
    const existing = new Set(await this.stackNames().catch(() => [] as string[]));
    for (const pr of prs) {
      const stack = previewStackName(pr);
      if (existing.has(stack)) {
        cleaned.push(stack);
        try {
          await this.engine.destroy(stack);
        } catch (err) {
          console.warn(`[cleanup] destroying ${stack} failed, removing it: ${(err as Error).message}`);
          await this.pulumi("cancel", "--yes", "--stack", stack).catch(() => undefined);
          await this.pulumi("stack", "rm", "--force", "--yes", "--stack", stack).catch((rmErr: Error) =>
            console.warn(`[cleanup] pulumi stack rm ${stack} failed: ${rmErr.message}`),
          );
        }
      }
      for (const namespace of await previewNamespaces(kube.core, pr).catch(() => [] as string[])) {
        cleaned.push(`namespace/${namespace}`);
        await kube.core.deleteNamespace({ name: namespace }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
    }
    return cleaned;
  }

  dispose(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** Namespaces labelled as the preview of `pr` and not already being deleted. */
export async function previewNamespaces(core: k8s.CoreV1Api, pr: number): Promise<string[]> {
  const list = await core.listNamespace({ labelSelector: `rollgate.dev/environment=preview,rollgate.dev/pr=${pr}` });
  return list.items.filter((ns) => ns.status?.phase !== "Terminating").map((ns) => ns.metadata?.name ?? "");
}

/** The Deployment's first container image and whether it is Available with every desired replica. */
export async function deploymentState(
  apps: k8s.AppsV1Api,
  namespace: string,
  name: string,
): Promise<{ image: string | undefined; available: boolean; generationObserved: boolean }> {
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const condition = deployment.status?.conditions?.find((c) => c.type === "Available");
  return {
    image: deployment.spec?.template.spec?.containers[0]?.image,
    available:
      condition?.status === "True" &&
      (deployment.status?.availableReplicas ?? 0) === (deployment.spec?.replicas ?? 1) &&
      (deployment.status?.updatedReplicas ?? 0) === (deployment.spec?.replicas ?? 1),
    generationObserved: (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0),
  };
}

/** Host names and backends of an HTTPRoute (`gateway.networking.k8s.io/v1`). */
export async function httpRoute(
  custom: k8s.CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<{ hostnames: string[]; parents: string[]; backends: string[] }> {
  const route = (await custom.getNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "httproutes",
    name,
  })) as {
    spec: {
      hostnames?: string[];
      parentRefs?: { name: string; namespace?: string }[];
      rules?: { backendRefs?: { name: string }[] }[];
    };
  };
  return {
    hostnames: route.spec.hostnames ?? [],
    parents: (route.spec.parentRefs ?? []).map((ref) => `${ref.namespace ?? namespace}/${ref.name}`),
    backends: (route.spec.rules ?? []).flatMap((rule) => (rule.backendRefs ?? []).map((ref) => ref.name)),
  };
}
