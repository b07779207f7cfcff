/**
 * The composition root: builds every adapter and service of a running
 * Rollgate, in dependency order, from the parsed environment: the process's
 * parts here, the in-process services through `buildAppServices`, then the
 * HTTP app in front of them (`createApp`). `index.ts` listens and shuts down.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Adapters, SharedEngineState } from "./adapters";
import { createApp, type RollgateApp } from "./app";
import { buildAppServices, type AppConfig } from "./appServices";
import { KeptReleaseLeases } from "./coordination/releaseLeases";
import { LeaseKeeper } from "./coordination/leaseKeeper";
import { LeasedStackGuard } from "./coordination/stackLeases";
import { systemClock, type Clock, type Logger, type SmokeChecker } from "./deps";
import { pulumiBackendEnv, pulumiBackendUrl } from "./engine/backendEnv";
import type { ServiceConfig } from "./env";
import { createLogger } from "./logger";
import { previewTemplateConfig } from "./previewTemplate";
import { productionAdapters } from "./productionAdapters";
import { backendReadiness, databaseReadiness } from "./readiness";
import { ReleaseSupervisor } from "./release/supervisor";
import { AuditLog } from "./services/audit/auditLog";
import { withReleaseAudit } from "./services/audit/releaseWiring";
import { TokenStore, ensureLocalTokens } from "./services/auth/tokens";
import { GitHubClient } from "./services/github/client";
import { GitHubReporter } from "./services/github/reporter";
import { createReleaseController } from "./services/releases/controllerFactory";
import { openStore, type RollgateStore } from "./store";

export interface ServiceOptions {
  /** The engine and cluster adapters, or a factory for them. Defaults to `productionAdapters`. */
  readonly adapters?: Adapters | ((config: ServiceConfig, logger: Logger, shared: SharedEngineState) => Promise<Adapters>);
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly smokeChecker?: SmokeChecker;
  readonly fetch?: typeof fetch;
}

/** Everything built, for `index.ts` to serve and shut down. */
export interface ComposedService {
  readonly logger: Logger;
  readonly store: RollgateStore;
  readonly leases: LeaseKeeper;
  readonly rollgate: RollgateApp;
}

export async function composeService(config: ServiceConfig, env: NodeJS.ProcessEnv, options: ServiceOptions = {}): Promise<ComposedService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const tokens = await loadTokens(config, logger);
  const replica = { id: config.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`, host: hostname() };
  const store = await openStore({ url: config.databaseUrl, logger, replica, leaseTtlMs: config.leaseTtlSeconds * 1000 });
  const leases = new LeaseKeeper(store.leases, { logger });
  const shared: SharedEngineState = {
    configStore: store.stackConfig,
    guard: new LeasedStackGuard(leases),
    // Pulumi's state goes to the same database through the CLI's own postgres:// backend unless told otherwise.
    backendEnv: pulumiBackendEnv(env.PULUMI_BACKEND_URL || pulumiBackendUrl(config.databaseUrl), env),
  };
  logger.info({ replica: replica.id }, "replica identity");
  const adapters =
    typeof options.adapters === "function"
      ? await options.adapters(config, logger, shared)
      : (options.adapters ?? (await productionAdapters(config, logger, shared)));
  const reporter = config.github.auth
    ? new GitHubReporter({
        client: new GitHubClient({
          auth: config.github.auth,
          apiUrl: config.github.apiUrl,
          logger,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
        logger,
        statusContext: config.github.statusContext,
      })
    : undefined;

  const clock = options.clock ?? systemClock;
  const audit = new AuditLog({ store: store.audit, clock, logger });
  const releases = adapters.clusterProbe
    ? await createReleaseController(
        // Environment updates and release events go to the audit trail too.
        withReleaseAudit(
          {
            store: store.releases,
            coordination: { leases: new KeptReleaseLeases(leases), commands: store.releaseCommands },
            engine: adapters.engine,
            cluster: adapters.clusterProbe,
            logger,
            clock,
            ...config.releases,
            ...(adapters.routerTargets ? { routerTargets: adapters.routerTargets } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          },
          { audit, clock, releases: store.releases },
        ),
      )
    : undefined;
  if (!releases) logger.warn("the adapters provide no cluster probe: releases are disabled");

  const settings = appConfig(config);
  const services = buildAppServices({
    engine: adapters.engine,
    waitForDeployment: adapters.waitForDeployment,
    ...(adapters.previewNamespaces ? { previewNamespaces: adapters.previewNamespaces } : {}),
    logger,
    audit,
    journal: store.journal,
    operations: store.operations,
    deliveries: store.deliveries,
    leases,
    replicaId: replica.id,
    ...(reporter ? { reporter } : {}),
    ...(releases
      ? {
          releases,
          releaseSupervisor: new ReleaseSupervisor(releases, store.releaseCommands, {
            intervalMs: config.releases.settings.pollIntervalSeconds * 1000,
            logger,
          }),
        }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.smokeChecker ? { smokeChecker: options.smokeChecker } : {}),
    config: settings,
  });
  const rollgate = createApp(services, {
    readinessChecks: [databaseReadiness(store), backendReadiness(adapters.engine), ...(adapters.readinessChecks ?? [])],
    tokens,
    logger,
    config: settings,
  });
  return { logger, store, leases, rollgate };
}

function appConfig(config: ServiceConfig): AppConfig {
  return {
    maxConcurrentOperations: config.maxConcurrentOperations,
    previewDefaultTtlHours: config.previewDefaultTtlHours,
    previewLimits: config.previewLimits,
    smokeChecks: config.smokeChecks,
    metricsAccess: config.metricsAccess,
    ...(config.smokeBaseUrl ? { smokeBaseUrl: config.smokeBaseUrl } : {}),
    previewBaseConfig: Object.keys(config.previewBaseConfig).length ? config.previewBaseConfig : previewTemplateConfig(),
    ...(config.github.webhookSecret ? { githubWebhookSecret: config.github.webhookSecret } : {}),
    ...(config.github.imageTemplate ? { previewImageTemplate: config.github.imageTemplate } : {}),
    ...(config.github.repository ? { githubRepository: config.github.repository } : {}),
    previewTrigger: config.github.previewTrigger,
  };
}

async function loadTokens(config: ServiceConfig, logger: Logger): Promise<TokenStore> {
  if (config.tokensFile) return TokenStore.fromFile(config.tokensFile);
  const local = await ensureLocalTokens(config.stateDir);
  logger.info(
    { tokenFile: local.tokenFile, tokensFile: local.tokensFile, created: local.created },
    "no ROLLGATE_TOKENS_FILE set: using the local admin token stored in tokenFile",
  );
  return TokenStore.fromFile(local.tokensFile);
}
