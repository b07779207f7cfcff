/**
 * Builds the Rollgate HTTP service from its dependencies. Never listens:
 * `index.ts` does, and tests drive the app with supertest.
 */
import express, { type Express } from "express";
import type { StackEngine } from "./engine/port";
import { systemClock, type Clock, type DeploymentWaiter, type Logger, type ReadinessCheck, type SmokeCheck, type SmokeChecker } from "./deps";
import type { MetricsAccess } from "./env";
import { errorHandler, notFoundHandler } from "./middleware/problem";
import { requestLog } from "./middleware/requestLog";
import { buildOpenApiDocument } from "./openapi/document";
import { stackReleaseTargets } from "./cluster/clusterProbe";
import { auditRoutes } from "./routes/audit";
import { dashboardRoutes } from "./routes/dashboard";
import { doraRoutes } from "./routes/dora";
import { operationRoutes } from "./routes/operations";
import { previewRoutes } from "./routes/previews";
import { releaseRoutes } from "./routes/releases";
import { mountRoutes, type AnyRoute } from "./routes/route";
import type { StreamLimits } from "./routes/streamSlots";
import { systemRoutes } from "./routes/system";
import { webhookRoutes } from "./routes/webhooks";
import { AuditLog } from "./services/audit/auditLog";
import { OperationAuditor } from "./services/audit/operationAudit";
import type { TokenStore } from "./services/auth/tokens";
import { DoraService } from "./services/dora/doraService";
import { registerReleaseMetrics } from "./services/metrics/releaseMetrics";
import { ServiceMetrics } from "./services/metrics/serviceMetrics";
import { OperationScheduler } from "./services/operations/scheduler";
import { MemoryOperationStore, type OperationStore } from "./services/operations/store";
import { MemoryPreviewJournal, type PreviewJournal } from "./services/previews/journal";
import { PreviewService, type PreviewLimits } from "./services/previews/previewService";
import { PreviewReaper } from "./services/previews/reaper";
import type { LeaseKeeper } from "./coordination/leaseKeeper";
import { silentReporter, type PreviewReporter } from "./services/previews/reporter";
import { PreviewVerifier } from "./services/previews/verify";
import { ReleaseService, type ReleaseControllerPort } from "./services/releases/releaseService";
import { HttpSmokeChecker } from "./services/smoke/httpSmokeChecker";
import { GitHubWebhookService } from "./services/webhooks/githubWebhooks";
import { defaultPreviewTriggerPolicy, type PreviewTriggerPolicy } from "./services/webhooks/previewTrigger";
import { MemoryDeliveryLog, type DeliveryLog } from "./services/webhooks/deliveries";

/** Largest JSON body the API accepts. */
export const jsonBodyLimit = 64 * 1024;
/**
 * Largest webhook body. GitHub's pull_request payloads embed the PR
 * description (up to 65,536 characters) and much metadata, so 64 KiB would
 * reject legitimate deliveries; they are authenticated before parsing.
 */
export const webhookBodyLimit = 1024 * 1024;

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

/** Everything the service needs from outside; the injection point for the real engine and cluster. */
export interface AppDeps {
  readonly engine: StackEngine;
  readonly waitForDeployment: DeploymentWaiter;
  /** Backend and cluster reachability; each rejects when not reachable. */
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly tokens: TokenStore;
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
  /** Open operation event streams per token and in all; 5 and 100 by default. */
  readonly eventStreams?: StreamLimits;
  readonly sseHeartbeatMs?: number;
  /** The canary release controller; without it the release routes answer 503. */
  readonly releases?: ReleaseControllerPort;
  /** Takes over releases of replicas that died and relays commands to the replica driving each release. */
  readonly releaseSupervisor?: { start(): Promise<void>; stop(): void };
  /** The audit trail; defaults to one in memory (`compose.ts` passes the shared store). */
  readonly audit?: AuditLog;
}

export type Lifecycle = "starting" | "serving" | "draining";

export interface RollgateApp {
  /** The request handler; `listen` is the caller's business. */
  readonly app: Express;
  readonly routes: readonly AnyRoute[];
  readonly previews: PreviewService;
  readonly operations: OperationStore;
  readonly scheduler: OperationScheduler;
  readonly reaper: PreviewReaper;
  readonly metrics: ServiceMetrics;
  readonly releases?: ReleaseService;
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

export function createApp(deps: AppDeps): RollgateApp {
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
  });
  const reaper = new PreviewReaper({ previews, clock, logger });
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

  const routes: AnyRoute[] = [];
  const openApi = (): Record<string, unknown> =>
    buildOpenApiDocument(routes, {
      title: "Rollgate",
      version: "1.0.0",
      description: "Preview environments, canary releases and operations of the Rollgate progressive-delivery service.",
    });
  routes.push(
    ...systemRoutes({
      readinessChecks: deps.readinessChecks,
      accepting: () => lifecycle === "serving",
      renderMetrics: () => metrics.render(),
      metricsAccess: config.metricsAccess ?? "public",
      openApiDocument: openApi,
      logger,
    }),
    ...previewRoutes(previews),
    ...releaseRoutes(releases),
    ...doraRoutes(dora),
    ...auditRoutes(audit),
    ...operationRoutes(operations, {
      ...(deps.sseHeartbeatMs === undefined ? {} : { heartbeatMs: deps.sseHeartbeatMs }),
      ...(deps.eventStreams ? { streams: deps.eventStreams } : {}),
    }),
    ...webhookRoutes(webhooks, deps.deliveries ?? new MemoryDeliveryLog()),
    ...dashboardRoutes(),
  );

  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(logger));
  mountRoutes(app, routes, {
    tokens: deps.tokens,
    ...(config.githubWebhookSecret ? { webhookSecret: config.githubWebhookSecret } : {}),
    jsonLimit: jsonBodyLimit,
    webhookLimit: webhookBodyLimit,
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  return {
    app,
    routes,
    previews,
    operations,
    scheduler,
    reaper,
    metrics,
    ...(releases ? { releases } : {}),
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
