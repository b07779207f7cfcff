/**
 * Starts the Rollgate service: parse the environment, build everything
 * (`compose.ts`), listen, run crash recovery and the TTL reaper, and shut
 * down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight
 * operations up to a timeout, then abandon them safely: recovery re-drives
 * them at next start).
 */
import "./support/deferredModules";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { RollgateApp } from "./app";
import { composeService, type ServiceOptions } from "./compose";
import type { Logger } from "./deps";
import { EnvError, parseEnv, type ServiceConfig } from "./env";
import type { RollgateStore } from "./store";

export interface StartOptions extends ServiceOptions {
  readonly env?: NodeJS.ProcessEnv;
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

export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const config = parseEnv(env);
  const { logger, store, leases, rollgate } = await composeService(config, env, options);

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
