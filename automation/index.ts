/**
 * Starts the Rollgate service: parse the environment, build the app, listen,
 * run crash recovery and the TTL reaper, and shut down gracefully on
 * SIGTERM/SIGINT (stop accepting, finish in-flight operations up to a
 * timeout, then abandon them safely: recovery re-drives them at next start).
 *
 * The real engine and cluster are wired in `productionAdapters.ts`.
 */
import "./support/deferredModules";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { createApp, type RollgateApp } from "./app";
import type { StackEngine } from "./engine/port";
import type { Clock, DeploymentWaiter, Logger, ReadinessCheck, SmokeChecker } from "./deps";
import { EnvError, parseEnv, type ServiceConfig } from "./env";
import { createLogger } from "./logger";
import { TokenStore, ensureLocalTokens } from "./services/auth/tokens";
import { GitHubClient } from "./services/github/client";
import { GitHubReporter } from "./services/github/reporter";
import { productionAdapters, type SharedEngineState } from "./productionAdapters";
import type { ClusterProbe } from "./release/ports";
import { createReleaseController } from "./services/releases/controllerFactory";
import { previewTemplateConfig } from "./previewTemplate";
import { systemClock } from "./deps";
import { releaseAuditWiring } from "./services/audit/releaseWiring";
import { AuditLog } from "./services/audit/auditLog";
import { LeaseKeeper } from "./coordination/leaseKeeper";
import { LeasedStackGuard } from "./coordination/stackLeases";
import { KeptReleaseLeases } from "./coordination/releaseLeases";
import { ReleaseSupervisor } from "./release/supervisor";
import { openStore, type RollgateStore } from "./store";

/** The parts that touch Pulumi and Kubernetes. */
export interface Adapters {
  readonly engine: StackEngine;
  readonly waitForDeployment: DeploymentWaiter;
  /** Cluster reachability and the like; a state-backend check (engine.list) is always added. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** The release controller's view of the cluster; without it there is no release controller (the release API answers 503). */
  readonly clusterProbe?: ClusterProbe;
  /** URNs (globs allowed) a weight-only update of an environment is limited to; whole-stack updates without it. */
  readonly routerTargets?: (environment: string) => readonly string[] | undefined;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The engine and cluster adapters, or a factory for them. Defaults to `productionAdapters`. */
  readonly adapters?: Adapters | ((config: ServiceConfig, logger: Logger, shared: SharedEngineState) => Promise<Adapters>);
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly smokeChecker?: SmokeChecker;
  readonly fetch?: typeof fetch;
}

export interface RunningService {
  readonly url: string;
  readonly config: ServiceConfig;
  readonly rollgate: RollgateApp;
  readonly server: Server;
  readonly store: RollgateStore;
  /** Stops accepting, drains operations (up to the configured timeout) and closes the server. */
  shutdown(reason?: string): Promise<void>;
}

/** A readiness check that the state backend answers. */
export function backendReadiness(engine: StackEngine): ReadinessCheck {
  return { name: "backend", check: async () => void (await engine.list()) };
}

/** The database URL as Pulumi's backend wants it: its CLI knows the `postgres://` scheme only. */
export function pulumiBackendUrl(databaseUrl: string): string {
  return databaseUrl.replace(/^postgresql:\/\//, "postgres://");
}

/**
 * The environment of the engine's CLI runs for a backend. Pulumi's
 * `postgres://` backend (v3.259) lists with a cursor open while it queries
 * each key's metadata on a second connection of a pool of 2×GOMAXPROCS; its
 * default of 10 parallel listings can hold every connection with cursors and
 * hang `pulumi stack ls` for good. Two at a time leaves room.
 */
export function pulumiBackendEnv(backendUrl: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const parallel: Record<string, string> = backendUrl.startsWith("postgres://") && !env.PULUMI_DIY_BACKEND_PARALLEL ? { PULUMI_DIY_BACKEND_PARALLEL: "2" } : {};
  return { PULUMI_BACKEND_URL: backendUrl, ...parallel };
}

/** A readiness check that the database answers. */
export function databaseReadiness(store: RollgateStore): ReadinessCheck {
  return { name: "database", check: () => store.database.ping() };
}

export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const config = parseEnv(options.env ?? process.env);
  const logger = options.logger ?? createLogger(config.logLevel);
  const tokens = await loadTokens(config, logger);
  const replica = { id: config.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`, host: hostname() };
  const store = await openStore({ url: config.databaseUrl, logger, replica, leaseTtlMs: config.leaseTtlSeconds * 1000 });
  const leases = new LeaseKeeper(store.leases, { logger });
  const shared: SharedEngineState = {
    configStore: store.stackConfig,
    guard: new LeasedStackGuard(leases),
    // Pulumi's state goes to the same database through the CLI's own postgres:// backend unless told otherwise.
    backendEnv: pulumiBackendEnv((options.env ?? process.env).PULUMI_BACKEND_URL || pulumiBackendUrl(config.databaseUrl), options.env ?? process.env),
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
  // Environment updates and release events go to the audit trail too.
  const releaseAudit = releaseAuditWiring(audit, clock);
  const releases = adapters.clusterProbe
    ? await createReleaseController(releaseAudit.options({
        store: store.releases,
        coordination: { leases: new KeptReleaseLeases(leases), commands: store.releaseCommands },
        engine: adapters.engine,
        cluster: adapters.clusterProbe,
        logger,
        clock,
        ...config.releases,
        ...(adapters.routerTargets ? { routerTargets: adapters.routerTargets } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }))
    : undefined;
  if (releases) releaseAudit.bind(releases);
  if (!releases) logger.warn("the adapters provide no cluster probe: releases are disabled");

  const rollgate = createApp({
    engine: adapters.engine,
    waitForDeployment: adapters.waitForDeployment,
    readinessChecks: [databaseReadiness(store), backendReadiness(adapters.engine), ...(adapters.readinessChecks ?? [])],
    tokens,
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
    config: {
      maxConcurrentOperations: config.maxConcurrentOperations,
      previewDefaultTtlHours: config.previewDefaultTtlHours,
      previewLimits: config.previewLimits,
      smokeChecks: config.smokeChecks,
      metricsAccess: config.metricsAccess,
      ...(config.smokeBaseUrl ? { smokeBaseUrl: config.smokeBaseUrl } : {}),
      previewBaseConfig: Object.keys(config.previewBaseConfig).length
        ? config.previewBaseConfig
        : previewTemplateConfig(),
      ...(config.github.webhookSecret ? { githubWebhookSecret: config.github.webhookSecret } : {}),
      ...(config.github.imageTemplate ? { previewImageTemplate: config.github.imageTemplate } : {}),
      ...(config.github.repository ? { githubRepository: config.github.repository } : {}),
      previewTrigger: config.github.previewTrigger,
    },
  });

  const server = await listen(rollgate, config);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, "rollgate listening");

  const stopping = new AbortController();
  const background = startBackgroundWork(rollgate, config, logger, stopping.signal);

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason = "shutdown requested"): Promise<void> => {
    shuttingDown ??= (async () => {
      stopping.abort();
      logger.info({ reason }, "shutting down: no new requests or operations");
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeIdleConnections();
      const drained = await rollgate.drain(config.shutdownTimeoutSeconds * 1000);
      if (!drained) logger.warn("operations still running after the shutdown timeout were abandoned; recovery re-drives them");
      await background;
      server.closeAllConnections();
      await closed;
      await leases.releaseAll();
      await store.database.close();
      await store.leaseConnections.close();
      logger.info("shut down");
    })();
    return shuttingDown;
  };
  return { url, config, rollgate, server, store, shutdown };
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

/**
 * Idle keep-alive connections stay open longer than clients and load
 * balancers keep theirs (undici 4 s, most balancers 60 s): a server that
 * closes first races the client's next request on that connection, which
 * then fails with ECONNRESET.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function listen(rollgate: RollgateApp, config: ServiceConfig): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    const server = rollgate.app.listen(config.port, config.host, (err?: Error) => {
      if (err) reject(err);
      else resolveListen(server);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
    server.once("error", reject);
  });
}

/** Crash recovery (retried until the backend answers), then the reaper. */
async function startBackgroundWork(
  rollgate: RollgateApp,
  config: ServiceConfig,
  logger: Logger,
  stop: AbortSignal,
): Promise<void> {
  for (let attempt = 1; !stop.aborted; attempt += 1) {
    try {
      await rollgate.recover();
      break;
    } catch (err) {
      logger.error({ err, attempt }, "crash recovery failed; retrying in 10 s");
      await sleep(10_000, undefined, { signal: stop }).catch(() => undefined);
    }
  }
  if (stop.aborted) return;
  await rollgate.reaper.runOnce().catch((err: unknown) => logger.error({ err }, "preview reaper pass failed"));
  if (!stop.aborted) rollgate.reaper.start(config.reaperIntervalSeconds * 1000);
}

export async function main(): Promise<void> {
  let service: RunningService;
  try {
    service = await startService();
  } catch (err) {
    const message = err instanceof EnvError ? err.message : `cannot start: ${(err as Error).message}`;
    process.stderr.write(`rollgate: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      service.shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`rollgate: shutdown failed: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) void main();
