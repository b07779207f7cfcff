/**
 * The parts of the service that touch Pulumi and Kubernetes, as the
 * composition root receives them: `productionAdapters.ts` builds the real
 * ones, tests pass fakes.
 */
import type { DeploymentWaiter, ReadinessCheck } from "./deps";
import type { StackConfigStore } from "./engine/stackConfigStore";
import type { StackGuard } from "./engine/stackGuard";
import type { StackEngine } from "./engine/port";
import type { ClusterProbe, WeightChange } from "./release/ports";
import type { PreviewNamespaces } from "./services/previews/previewNamespaces";

export interface Adapters {
  readonly engine: StackEngine;
  readonly waitForDeployment: DeploymentWaiter;
  /** The cluster's preview namespaces, for sweeping what crashed creates left; no sweeping without. */
  readonly previewNamespaces?: PreviewNamespaces;
  /** Cluster reachability and the like; a state-backend check (engine.list) is always added. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** The release controller's view of the cluster; without it there is no release controller (the release API answers 503). */
  readonly clusterProbe?: ClusterProbe;
  /** URNs (globs allowed) a weight-only update of an environment is limited to; whole-stack updates without it. */
  readonly routerTargets?: (environment: string, change: WeightChange) => readonly string[] | undefined;
}

/** What the engine shares with the other replicas: stack config, stack leases, the Pulumi backend. */
export interface SharedEngineState {
  readonly configStore: StackConfigStore;
  readonly guard: StackGuard;
  /** `PULUMI_BACKEND_URL` and what that backend needs, for the engine's CLI runs. */
  readonly backendEnv: Readonly<Record<string, string>>;
}
