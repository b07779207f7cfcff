/** Opens the service's audit trail: the shared file store at its location, with stale temporary files removed. */
import type { Clock, Logger } from "../../deps";
import { AuditLog } from "./auditLog";
import { FileAuditStore } from "./fileStore";
import { sharedStateDirectory } from "../../support/sharedStateDirectory";

export interface OpenAuditOptions {
  /** `PULUMI_BACKEND_URL`: a `file://` backend keeps the records beside its state. */
  readonly backendUrl: string | undefined;
  readonly stateDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function openAuditLog(options: OpenAuditOptions): Promise<AuditLog> {
  const { logger } = options;
  const store = new FileAuditStore(sharedStateDirectory("audit", options.backendUrl, options.stateDir), {
    onUnreadable: (file, problem) => logger.warn({ file, problem }, "skipping an unreadable audit record"),
  });
  const removed = await store.clean().catch((err: unknown) => {
    logger.warn({ err, directory: store.directory }, "cannot clean the audit directory");
    return 0;
  });
  logger.info({ directory: store.directory, removedTemporaryFiles: removed }, "audit trail");
  return new AuditLog({ store, clock: options.clock, logger });
}
