/** What every scenario shares: the environment, the running service, the cluster, clean-up and the figures measured. */
import type { KubeClients } from "../../test/support/kube";
import type { InClusterRouter } from "../../test/support/routerObjects";
import type { RollgateApi, RollgateService } from "../../test/support/rollgateService";
import type { Cleanup } from "./cleanup";
import type { WeightTarget } from "./cluster";
import { ENVIRONMENT, type BenchEnvironment } from "./environment";
import { summarize, type Figure } from "./stats";

export const SCENARIOS = ["weight-step", "abort", "backends", "rollback", "preview-lifecycle", "concurrency", "footprint", "replicas", "argo-rollouts", "supply-chain", "scaling"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Settings {
  readonly quick: boolean;
  /** Repetitions of each timed scenario. */
  readonly runs: number;
  /** Previews created at once in the concurrency scenario. */
  readonly concurrency: number;
  readonly scenarios: ReadonlySet<ScenarioName>;
  /** The router the environment stack (weight step, abort, rollback, replicas) is on. */
  readonly router: InClusterRouter;
}

export class BenchContext {
  readonly figures: Record<string, Figure> = {};
  /** Where the time goes: per-scenario breakdowns that are not goals. */
  readonly profile: Record<string, Record<string, unknown>> = {};
  readonly errors: { scenario: string; message: string }[] = [];
  service?: RollgateService;
  api?: RollgateApi;

  constructor(
    readonly env: BenchEnvironment,
    readonly cleanup: Cleanup,
    readonly settings: Settings,
    readonly kube: KubeClients,
  ) {}

  record(name: string, samples: readonly number[], unit: string, options: { percentiles?: boolean; digits?: number } = {}): void {
    if (samples.length > 0) this.figures[name] = summarize(samples, unit, options);
  }

  /** The environment stack's app on its router: what the scenarios read live weights from. */
  get target(): WeightTarget {
    return { namespace: ENVIRONMENT.namespace, app: ENVIRONMENT.app, router: this.settings.router };
  }

  note(scenario: string, key: string, value: unknown): void {
    this.profile[scenario] = { ...this.profile[scenario], [key]: value };
  }

  running(): { service: RollgateService; api: RollgateApi } {
    if (!this.service?.running || !this.api) throw new Error("the service under test is not running");
    return { service: this.service, api: this.api };
  }
}
