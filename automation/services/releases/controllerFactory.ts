/**
 * Builds the service's release controller: the shared stack engine, records
 * beside the file backend's state (`<backend>/.rollgate/releases`, else `<stateDir>/releases`), Prometheus (or no) metrics, the cluster
 * probe, an optional webhook, and the controller's deployer identity
 * stamped on every update it makes.
 */
import type { Logger } from "../../deps";
import type { StackEngine } from "../../engine/port";
import type { Clock } from "../../release/clock";
import { ReleaseController } from "../../release/controller";
import { FileReleaseStore } from "../../release/fileStore";
import type { ClusterProbe, Notifier } from "../../release/ports";
import { sharedStateDirectory } from "../../support/sharedStateDirectory";
import { combineNotifiers } from "../audit/fanOutNotifier";
import type { ControllerSettingsInput } from "../../release/schemas";
import { releaseMetricProvider } from "./metrics";
import { WebhookNotifier } from "./webhookNotifier";

/** The deployer the production policy config allows (`policies/config/production.json`). */
export const DEFAULT_RELEASE_DEPLOYER = "rollgate-release-controller";

export interface ReleaseControllerOptions {
  readonly stateDir: string;
  /** `PULUMI_BACKEND_URL`: with a `file://` backend the records live beside its state, shared by every replica. */
  readonly backendUrl?: string;
  readonly engine: StackEngine;
  readonly cluster: ClusterProbe;
  readonly logger: Logger;
  readonly prometheusUrl?: string;
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
  readonly routerTargets?: (environment: string) => readonly string[] | undefined;
}

/** Removes temporary files a crash left in the store, then builds the controller (call `recover` once serving). */
export async function createReleaseController(options: ReleaseControllerOptions): Promise<ReleaseController> {
  const { logger } = options;
  const store = new FileReleaseStore(sharedStateDirectory("releases", options.backendUrl, options.stateDir));
  const removed = await store.clean();
  if (removed > 0) logger.warn({ directory: store.directory, removed }, "removed temporary release files left by a crash");
  if (options.prometheusUrl === undefined) {
    logger.warn("ROLLGATE_PROMETHEUS_URL is not set: release analyses measure nothing, so a release with checks rolls back at its first step");
  }
  const notifier = combineNotifiers([
    ...(options.webhookUrl ? [new WebhookNotifier({ url: options.webhookUrl, ...(options.fetch ? { fetch: options.fetch } : {}) })] : []),
    ...(options.notifiers ?? []),
  ]);
  return new ReleaseController({
    engine: options.engine,
    store,
    cluster: options.cluster,
    metrics: releaseMetricProvider(options.prometheusUrl, options.fetch),
    logger,
    ...(notifier ? { notifier } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.routerTargets ? { routerTargets: options.routerTargets } : {}),
    settings: { ...options.settings, deployedBy: options.deployer ?? DEFAULT_RELEASE_DEPLOYER },
  });
}
