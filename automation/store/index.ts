/**
 * Opens Rollgate's store: connects to PostgreSQL, applies the schema
 * migrations (waiting while the database is not reachable yet), and builds
 * the store of each concept on the one connection pool.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../deps";
import { PgAuditStore } from "./auditStore";
import { redactCredentials } from "../errors";
import { Database, isUnavailable } from "./database";
import { LeaseStore } from "./leases";
import { migrate } from "./migrate";
import { PgOperationStore } from "./operationStore";
import { PgPreviewJournal } from "./previewJournal";
import { PgReleaseCommands } from "./releaseCommands";
import { PgReleaseStore } from "./releaseStore";
import { PgStackConfigStore } from "./stackConfigStore";
import { PgDeliveryLog } from "./webhookDeliveries";

export interface RollgateStore {
  readonly database: Database;
  /** The lease store's own small pool. */
  readonly leaseConnections: Database;
  readonly audit: PgAuditStore;
  readonly releases: PgReleaseStore;
  readonly releaseCommands: PgReleaseCommands;
  readonly journal: PgPreviewJournal;
  readonly operations: PgOperationStore;
  readonly stackConfig: PgStackConfigStore;
  readonly leases: LeaseStore;
  readonly deliveries: PgDeliveryLog;
}

export interface OpenStoreOptions {
  readonly url: string;
  readonly logger: Logger;
  /** This replica's id and host name, recorded on the leases it holds. */
  readonly replica: { readonly id: string; readonly host: string };
  readonly leaseTtlMs: number;
  /** How long to wait for the database at start before giving up (default 60 s). */
  readonly connectTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export async function openStore(options: OpenStoreOptions): Promise<RollgateStore> {
  const { logger } = options;
  const database = new Database({ url: options.url, logger });
  const deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const report = await migrate(database);
      logger.info({ database: redactCredentials(options.url), applied: report.applied, schemaVersion: report.version }, "database ready");
      break;
    } catch (error) {
      if (!isUnavailable(error) || Date.now() >= deadline || options.signal?.aborted) {
        await database.close();
        throw error;
      }
      logger.warn({ err: error, attempt, database: redactCredentials(options.url) }, "the database is not reachable yet; retrying");
      await sleep(Math.min(5000, 250 * 2 ** attempt));
    }
  }
  // Renewals get connections of their own: a busy API must not starve them into losing leases.
  const leaseConnections = new Database({ url: options.url, logger, maxConnections: 2, applicationName: "rollgate-leases" });
  const leases = new LeaseStore(leaseConnections, { holder: options.replica.id, host: options.replica.host, ttlMs: options.leaseTtlMs });
  return {
    database,
    leaseConnections,
    audit: new PgAuditStore(database),
    operations: new PgOperationStore(database, leases),
    releases: new PgReleaseStore(database),
    releaseCommands: new PgReleaseCommands(database),
    journal: new PgPreviewJournal(database),
    stackConfig: new PgStackConfigStore(database),
    leases,
    deliveries: new PgDeliveryLog(database),
  };
}
