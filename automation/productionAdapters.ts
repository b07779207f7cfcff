import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { program } from "../infra/program";
import { KubernetesClusterProbe, stackReleaseTargets } from "./cluster/clusterProbe";
import { deploymentWaiter } from "./cluster/deploymentWaiter";
import { kubeApiFromEnvironment } from "./cluster/kubeApi";
import { LocalStackEngine } from "./engine/localStackEngine";
import type { ServiceConfig } from "./env";
import type { Adapters } from "./index";

const policiesDir = resolve(__dirname, "../policies");

/** The policy config for a stack: previews share one; other stacks are named after their environment. */
export function policyConfigFor(stack: string): string | undefined {
  const environment = stack.startsWith("preview-") ? "preview" : stack;
  const file = join(policiesDir, "config", `${environment}.json`);
  return existsSync(file) ? file : undefined;
}

/**
 * The real engine (Automation API, shared program, policy pack) and the
 * cluster from KUBECONFIG; the release controller's cluster probe finds each
 * environment's objects from its stack's config.
 */
export async function productionAdapters(config: ServiceConfig): Promise<Adapters> {
  const kube = kubeApiFromEnvironment();
  const engine = new LocalStackEngine({
    program,
    workspacesDir: join(resolve(config.stateDir), "workspaces"),
    policyPacks: [policiesDir],
    policyPackConfig: policyConfigFor,
  });
  return {
    engine,
    clusterProbe: new KubernetesClusterProbe(kube, stackReleaseTargets(engine)),
    waitForDeployment: deploymentWaiter(kube.apps),
    readinessChecks: [{ name: "cluster", check: async () => void (await kube.version.getCode()) }],
  };
}
