/**
 * Builds the service's release controller: the shared stack engine, the
 * release store, the configured metric provider (or none), the cluster probe, an optional
 * webhook, the controller's deployer identity stamped on every update it
 * makes, and the risk classifier that picks each release's plan.
 */
import { trustPolicyGate, type ImageGate } from "../../supplyChain/imageGate";
import { loadTrustedRoot } from "../../supplyChain/trustedRoot";
import type { Logger } from "../../deps";
import type { StackEngine } from "../../engine/port";
import { systemClock, type Clock } from "../../deps";
import { ReleaseController } from "../../release/controller";
import { releaseRiskAssessor } from "../../release/risk/releaseRiskAssessor";
import type { ClusterProbe, Notifier, ReleaseCommands, ReleaseLeases, WeightChange } from "../../release/ports";
import { combineNotifiers } from "../audit/fanOutNotifier";
import type { MetricProviderConfig } from "../../release/analysis/registry";
import type { ControllerSettingsInput } from "../../release/schemas";
import type { ReleaseStore } from "../../release/store";
import { releaseMetricProvider } from "./metrics";
import { WebhookNotifier } from "./webhookNotifier";

/** The deployer the production policy config allows (`policies/config/production.json`). */
export const DEFAULT_RELEASE_DEPLOYER = "rollgate-release-controller";

export interface ReleaseControllerOptions {
  readonly store: ReleaseStore;
  readonly engine: StackEngine;
  readonly cluster: ClusterProbe;
  readonly logger: Logger;
  /** Where analyses measure (`ROLLGATE_PROMETHEUS_URL` or `ROLLGATE_METRIC_PROVIDER`). */
  readonly metricProvider?: MetricProviderConfig;
  readonly webhookUrl?: string;
  /** Stamped as `rollgate:deployedBy`, with the release's id as `rollgate:releaseId`. */
  readonly deployer?: string;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  /** Other controller settings (deadlines, poll interval, restart policy). */
  readonly settings?: Omit<ControllerSettingsInput, "deployedBy">;
  /** Told of every release event besides the webhook (e.g. the audit trail). */
  readonly notifiers?: readonly Notifier[];
  /** URNs (globs allowed) a weight-only update of an environment is limited to. */
  readonly routerTargets?: (environment: string, change: WeightChange) => readonly string[] | undefined;
  /** Leases and the command queue shared by the replicas. */
  readonly coordination?: { readonly leases: ReleaseLeases; readonly commands: ReleaseCommands };
  /** Where each environment's risk config is read from (default `automation/release/risk/config/`). */
  readonly riskConfigDir?: string;
  /** Where each environment's trust policy is read from; without it release images are not verified. */
  readonly trustPolicyDir?: string;
  /** Sigstore's `trusted_root.json` for keyless signatures; without it only key-based signatures verify. */
  readonly sigstoreTrustedRoot?: string;
}

/** Builds the controller (call `recover` once serving). */
export async function createReleaseController(options: ReleaseControllerOptions): Promise<ReleaseController> {
  const { logger, store } = options;
  if (options.metricProvider === undefined) {
    logger.warn(
      "neither ROLLGATE_PROMETHEUS_URL nor ROLLGATE_METRIC_PROVIDER is set: release analyses measure nothing, so a release with checks rolls back at its first step",
    );
  }
  const notifier = combineNotifiers([
    ...(options.webhookUrl ? [new WebhookNotifier({ url: options.webhookUrl, ...(options.fetch ? { fetch: options.fetch } : {}) })] : []),
    ...(options.notifiers ?? []),
  ]);
  return new ReleaseController({
    engine: options.engine,
    store,
    cluster: options.cluster,
    metrics: releaseMetricProvider(options.metricProvider, options.fetch),
    logger,
    ...(notifier ? { notifier } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.routerTargets ? { routerTargets: options.routerTargets } : {}),
    ...(options.coordination ? { coordination: options.coordination } : {}),
    ...(options.trustPolicyDir ? { imageGate: imageGateFor(options.trustPolicyDir, options.sigstoreTrustedRoot) } : {}),
    risk: releaseRiskAssessor({ engine: options.engine, store, clock: options.clock ?? systemClock, ...(options.riskConfigDir ? { configDir: options.riskConfigDir } : {}) }),
    settings: { ...options.settings, deployedBy: options.deployer ?? DEFAULT_RELEASE_DEPLOYER },
  });
}

function imageGateFor(configDir: string, trustedRootFile: string | undefined): ImageGate {
  return trustPolicyGate({ configDir, ...(trustedRootFile ? { trustedRoot: loadTrustedRoot(trustedRootFile) } : {}) });
}
