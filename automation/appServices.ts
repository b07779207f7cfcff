/**
 * Builds the service's in-process parts (operation scheduler, previews and
 * their reaper, webhooks, releases, DORA, metrics, audit) from the ports they
 * run on, and their lifecycle (recover, drain). `app.ts` puts HTTP in front
 * of what this builds.
 */
import type { StackEngine } from "./engine/port";
import { systemClock, type Clock, type DeploymentWaiter, type Logger, type SmokeCheck, type SmokeChecker } from "./deps";
import type { MetricsAccess } from "./env";
import { stackReleaseTargets } from "./cluster/clusterProbe";
import type { LeaseKeeper } from "./coordination/leaseKeeper";
import { AuditLog } from "./services/audit/auditLog";
import { OperationAuditor } from "./services/audit/operationAudit";
import { DoraService } from "./services/dora/doraService";
import { registerReleaseMetrics } from "./services/metrics/releaseMetrics";
import { ServiceMetrics } from "./services/metrics/serviceMetrics";
import { OperationScheduler } from "./services/operations/scheduler";
import { MemoryOperationStore, type OperationStore } from "./services/operations/store";
import { MemoryPreviewJournal, type PreviewJournal } from "./services/previews/journal";
import { PreviewService, type PreviewLimits } from "./services/previews/previewService";
import { PreviewReaper } from "./services/previews/reaper";
import type { PreviewNamespaces } from "./services/previews/previewNamespaces";
import { silentReporter, type PreviewReporter } from "./services/previews/reporter";
import { PreviewVerifier } from "./services/previews/verify";
import { ReleaseService, type ReleaseControllerPort } from "./services/releases/releaseService";
import { HttpSmokeChecker } from "./services/smoke/httpSmokeChecker";
import { GitHubWebhookService } from "./services/webhooks/githubWebhooks";
import { defaultPreviewTriggerPolicy, type PreviewTriggerPolicy } from "./services/webhooks/previewTrigger";
import { MemoryDeliveryLog, type DeliveryLog } from "./services/webhooks/deliveries";

export interface AppConfig {
  readonly maxConcurrentOperations: number;
  readonly previewDefaultTtlHours: number;
  /** Unbounded without. */
  readonly previewLimits?: PreviewLimits;
  readonly smokeChecks: readonly SmokeCheck[];
  /**
   * Base URL for smoke checks instead of each preview's `url` output, for when
   * preview host names do not resolve from the service; `{pr}` is replaced by the PR number.
   */
  readonly smokeBaseUrl?: string;
  readonly githubWebhookSecret?: string;
  /** Required for pull_request webhooks; `{pr}`, `{sha}`, `{shortSha}` placeholders. */
  readonly previewImageTemplate?: string;
  /** `owner/name` to report previews created through the API to; webhooks of other repositories are ignored. */
  readonly githubRepository?: string;
  /** Which pull requests' webhooks deploy previews; default every PR, forks once labelled `preview`. */
  readonly previewTrigger?: Omit<PreviewTriggerPolicy, "repository">;
  /** Config keys every preview stack shares, e.g. `{ "rollgate:app": "sample-app", "rollgate:previewDomain": ... }`. */
  readonly previewBaseConfig?: Readonly<Record<string, string>>;
  /** Default `public`. */
  readonly metricsAccess?: MetricsAccess;
}

/** What the services run on; the injection point for the real engine and cluster. */
export interface AppServiceDeps {
  readonly engine: StackEngine;
  readonly waitForDeployment: DeploymentWaiter;
  /** The cluster's preview namespaces: leftovers of crashed creates are swept after destroys and by the reaper. */
  readonly previewNamespaces?: PreviewNamespaces;
  readonly logger: Logger;
  readonly config: AppConfig;
  readonly clock?: Clock;
  readonly smokeChecker?: SmokeChecker;
  /**
   * The operation queue and preview journal every replica shares; memory
   * (unit tests) unless given — `compose.ts` passes the PostgreSQL ones.
   */
  readonly operations?: OperationStore;
  readonly journal?: PreviewJournal;
  /** GitHub deliveries already handled (replays are answered "duplicate"); memory unless given. */
  readonly deliveries?: DeliveryLog;
  /** Keeps the stack leases of claimed operations renewed (with the PostgreSQL store). */
  readonly leases?: LeaseKeeper;
  /** This replica's id, recorded on what it runs. */
  readonly replicaId?: string;
  readonly reporter?: PreviewReporter;
  readonly newOperationId?: () => string;
  /** The canary release controller; without it the release routes answer 503. */
  readonly releases?: ReleaseControllerPort;
  /** Takes over releases of replicas that died and relays commands to the replica driving each release. */
  readonly releaseSupervisor?: { start(): Promise<void>; stop(): void };
  /** The audit trail; defaults to one in memory (`compose.ts` passes the shared store). */
  readonly audit?: AuditLog;
}

export type Lifecycle = "starting" | "serving" | "draining";

/** The built services, and the lifecycle they share. */
export interface AppServices {
  readonly previews: PreviewService;
  readonly operations: OperationStore;
  readonly scheduler: OperationScheduler;
  readonly reaper: PreviewReaper;
  readonly metrics: ServiceMetrics;
  readonly releases?: ReleaseService;
  readonly dora?: DoraService;
  /** Without a webhook secret and an image template, pull_request webhooks are not served. */
  readonly webhooks?: GitHubWebhookService;
  readonly deliveries: DeliveryLog;
  readonly audit: AuditLog;
  lifecycle(): Lifecycle;
  /** Picks up releases nobody drives (crash recovery); readiness turns on when it is done. */
  recover(): Promise<void>;
  /**
   * Readiness off, reaper stopped, no new operations, release loops stopped
   * (pauses cut short); waits for running operations and stack updates up to `timeoutMs`.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

/** Builds the services and starts the scheduler (operations are taken at once). */
export function buildAppServices(deps: AppServiceDeps): AppServices {
  const { engine, logger, config } = deps;
  const clock = deps.clock ?? systemClock;
  const operations = deps.operations ?? new MemoryOperationStore();
  const journal =
    deps.journal ?? (operations instanceof MemoryOperationStore ? new MemoryPreviewJournal(operations) : undefined);
  if (!journal) throw new TypeError("an operation store other than the memory one needs its journal (`deps.journal`)");
  let lifecycle: Lifecycle = "starting";
  const audit = deps.audit ?? new AuditLog({ clock, logger });

  // The gauges read the scheduler and previews, which are created just below.
  const metrics: ServiceMetrics = new ServiceMetrics({
    queueDepth: () => scheduler.queueDepth(),
    running: () => scheduler.runningCount(),
    previewsByStatus: () => previews.countByStatus(),
  });
  const scheduler: OperationScheduler = new OperationScheduler({
    store: operations,
    owner: deps.replicaId ?? "local",
    ...(deps.leases ? { leases: deps.leases } : {}),
    maxConcurrent: config.maxConcurrentOperations,
    clock,
    logger,
    observers: [metrics, new OperationAuditor(audit)],
    ...(deps.newOperationId ? { newId: deps.newOperationId } : {}),
  });
  const previews: PreviewService = new PreviewService({
    engine,
    scheduler,
    operations,
    journal,
    clock,
    logger,
    verifier: new PreviewVerifier(
      deps.waitForDeployment,
      deps.smokeChecker ?? new HttpSmokeChecker(),
      config.smokeChecks,
      config.smokeBaseUrl,
    ),
    reporter: deps.reporter ?? silentReporter,
    defaultTtlHours: config.previewDefaultTtlHours,
    ...(config.previewLimits ? { limits: config.previewLimits } : {}),
    ...(config.githubRepository ? { defaultRepository: config.githubRepository } : {}),
    ...(config.previewBaseConfig ? { baseConfig: config.previewBaseConfig } : {}),
    ...(deps.previewNamespaces ? { namespaces: deps.previewNamespaces } : {}),
  });
  const reaper = new PreviewReaper({
    previews,
    clock,
    logger,
    ...(deps.previewNamespaces ? { namespaces: deps.previewNamespaces } : {}),
    ...(deps.leases ? { leases: deps.leases } : {}),
  });
  // Operations are taken at once, including those a replica that died left unfinished.
  scheduler.start();
  const webhooks =
    config.githubWebhookSecret && config.previewImageTemplate
      ? new GitHubWebhookService({
          previews,
          imageTemplate: config.previewImageTemplate,
          policy: {
            ...(config.previewTrigger ?? defaultPreviewTriggerPolicy),
            ...(config.githubRepository ? { repository: config.githubRepository } : {}),
          },
        })
      : undefined;

  const releases = deps.releases
    ? new ReleaseService({ controller: deps.releases, logger, ...(deps.releaseSupervisor ? { supervisor: deps.releaseSupervisor } : {}) })
    : undefined;
  const dora = releases ? new DoraService({ releases: (environment) => releases.list({ environment }), clock }) : undefined;
  if (releases) {
    const targetFor = stackReleaseTargets(engine);
    registerReleaseMetrics(metrics.registry, { releases: () => releases.list(), targetFor, clock });
  }

  const deliveries = deps.deliveries ?? new MemoryDeliveryLog();

  return {
    previews,
    operations,
    scheduler,
    reaper,
    metrics,
    ...(releases ? { releases } : {}),
    ...(dora ? { dora } : {}),
    ...(webhooks ? { webhooks } : {}),
    deliveries,
    audit,
    lifecycle: () => lifecycle,
    async recover() {
      await releases?.recover();
      if (lifecycle === "starting") lifecycle = "serving";
      logger.info({ unfinishedOperations: (await operations.unfinished()).length }, "crash recovery done");
    },
    async drain(timeoutMs) {
      lifecycle = "draining";
      reaper.stop();
      const [drained, closed] = await Promise.all([scheduler.drain(timeoutMs), releases?.close(timeoutMs) ?? true]);
      await audit.flush();
      return drained && closed;
    },
  };
}
