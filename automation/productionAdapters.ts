import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { program } from "../infra/program";
import { KubernetesClusterProbe, stackReleaseTargets } from "./cluster/clusterProbe";
import { deploymentWaiter } from "./cluster/deploymentWaiter";
import { kubeApiFromEnvironment } from "./cluster/kubeApi";
import { CachedReadsEngine } from "./engine/cachedReads";
import { compilePolicyPack, type CompiledPolicyPack } from "./engine/compiledPolicyPack";
import { LocalStackEngine } from "./engine/localStackEngine";
import type { ServiceConfig } from "./env";
import type { Logger } from "./deps";
import type { Adapters, SharedEngineState } from "./adapters";
import type { WeightChange } from "./release/ports";
import { previewNamespacesIn } from "./services/previews/previewNamespaces";

const repoRoot = resolve(__dirname, "..");
const policiesDir = join(repoRoot, "policies");
/** Inside the repository so the compiled pack resolves `@pulumi/policy` from its node_modules. */
const compiledPacksDir = join(repoRoot, "node_modules", ".cache", "rollgate", "policy-packs");

/**
 * The repository's policy pack for the engine. Run from the sources, the
 * service compiles it (reused while its sources are unchanged); run compiled
 * (`npm run build`: dist/, the container image, whose root filesystem is
 * read-only), it takes the JavaScript pack the build wrote beside it.
 */
export function servicePolicyPack(moduleFile = __filename): CompiledPolicyPack {
  const root = resolve(dirname(moduleFile), "..");
  const packDir = join(root, "policies");
  if (!moduleFile.endsWith(".ts")) return { directory: packDir, compiled: false };
  return compilePolicyPack(packDir, compiledPacksDir, root);
}

/**
 * The resources a weight-only update touches: the children of the stack's
 * `TrafficSplit` (the router objects), whatever the router kind, and, when
 * the weight rises, the canary Deployment (and the baseline's, which has as
 * many replicas), whose replicas follow the weight (the route waits for them).
 */
export function routerTargetsFor(stack: string, change: WeightChange = { scaleCanary: false }, project = "rollgate"): string[] {
  const router = `urn:pulumi:${stack}::${project}::**rollgate:traffic:TrafficSplit$**`;
  const deployment = (track: string) => `urn:pulumi:${stack}::${project}::**rollgate:app:WebService$kubernetes:apps/v1:Deployment::*-${track}-deployment`;
  if (!change.scaleCanary) return [router];
  return [deployment("canary"), ...(change.baseline ? [deployment("baseline")] : []), router];
}

/** The policy config for a stack: previews share one; other stacks are named after their environment. */
export function policyConfigFor(stack: string): string | undefined {
  const environment = stack.startsWith("preview-") ? "preview" : stack;
  const file = join(policiesDir, "config", `${environment}.json`);
  return existsSync(file) ? file : undefined;
}

/**
 * The real engine (Automation API, shared program, policy pack) and the
 * cluster from KUBECONFIG; the release controller's cluster probe finds each
 * environment's objects from its stack's config (and a cloud router's from
 * its API, with the secrets the service's environment gives).
 */
export async function productionAdapters(config: ServiceConfig, logger: Logger, shared: SharedEngineState): Promise<Adapters> {
  const kube = kubeApiFromEnvironment();
  const started = Date.now();
  const pack = servicePolicyPack();
  logger.info({ directory: pack.directory, compiled: pack.compiled, ms: Date.now() - started }, "policy pack ready");
  // API reads (preview lists, outputs) come from a short-lived cache kept fresh by the engine's own updates.
  const engine = new CachedReadsEngine(
    new LocalStackEngine({
      program,
      workspacesDir: join(resolve(config.stateDir), "workspaces"),
      configStore: shared.configStore,
      guard: shared.guard,
      env: shared.backendEnv,
      nodeCompileCacheDir: join(resolve(config.stateDir), "node-compile-cache"),
      seedConfigDir: join(repoRoot, "stacks"),
      policyPacks: [pack.directory],
      policyPackConfig: policyConfigFor,
    }),
  );
  return {
    engine,
    clusterProbe: new KubernetesClusterProbe(kube, stackReleaseTargets(engine), { secrets: config.routerSecrets }),
    waitForDeployment: deploymentWaiter(kube.apps),
    previewNamespaces: previewNamespacesIn(kube),
    readinessChecks: [{ name: "cluster", check: async () => void (await kube.version.getCode()) }],
    routerTargets: (environment, change) => routerTargetsFor(environment, change),
  };
}
