/**
 * Destroys previews whose `expiresAt` has passed, at start and then
 * periodically, and deletes preview namespaces of PRs that have no preview at
 * all (a create that crashed before Pulumi recorded the namespace, then a
 * destroy whose sweep failed).
 */
import type { Clock, Logger } from "../../deps";
import { messageOf } from "../../errors";
import type { PreviewNamespaces } from "./previewNamespaces";
import type { PreviewService, PreviewView } from "./previewService";
import { isExpired } from "./status";

export const reaperActor = "rollgate-reaper";

/** Held while a pass runs, so replicas never reap at the same time (each pass lists every stack's outputs). */
export const reaperLeaseName = "reaper";

/** The part of the replica's lease keeper the reaper uses. */
export interface ReaperLeases {
  tryHold(name: string): Promise<{ release(): Promise<void> } | undefined>;
}

/** A namespace younger than this may belong to a create whose preview is not listed yet; it is never swept. */
export const orphanGraceMs = 15 * 60_000;

export interface ReaperDeps {
  readonly previews: PreviewService;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly namespaces?: PreviewNamespaces;
  /** Without it (one process) every pass runs. */
  readonly leases?: ReaperLeases;
}

export interface ReaperPass {
  /** PRs whose destroy was started. */
  readonly destroyed: number[];
  readonly failed: { readonly pr: number; readonly error: string }[];
  /** Namespaces of PRs without a preview, deleted. */
  readonly swept: string[];
  /** Another replica was reaping: this pass did nothing. */
  readonly skipped?: true;
}

export class PreviewReaper {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<ReaperPass> | undefined;

  constructor(private readonly deps: ReaperDeps) {}

  /** One pass; overlapping calls share the pass in progress. */
  runOnce(): Promise<ReaperPass> {
    this.pass ??= this.reap().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.deps.logger.error({ err }, "preview reaper pass failed"));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async reap(): Promise<ReaperPass> {
    const { leases } = this.deps;
    if (!leases) return this.reapHeld();
    const held = await leases.tryHold(reaperLeaseName);
    if (!held) return { destroyed: [], failed: [], swept: [], skipped: true };
    try {
      return await this.reapHeld();
    } finally {
      await held.release();
    }
  }

  private async reapHeld(): Promise<ReaperPass> {
    const { previews, clock, logger } = this.deps;
    const now = clock.now();
    const result: ReaperPass = { destroyed: [], failed: [], swept: [] };
    const listed = await previews.list();
    for (const preview of listed) {
      const busy = preview.status === "creating" || preview.status === "updating" || preview.status === "destroying";
      if (busy || !isExpired(preview.expiresAt ?? undefined, now)) continue;
      try {
        // Re-checked under the stack's lock: an update since the list may have moved the expiry.
        const accepted = await previews.destroyIfPresent(preview.pr, reaperActor, "ttl-expiry", (record) =>
          record?.expiresAt === undefined || isExpired(record.expiresAt, clock.now()),
        );
        if (accepted) {
          result.destroyed.push(preview.pr);
          logger.info(
            { pr: preview.pr, expiresAt: preview.expiresAt, operationId: accepted.operation.id },
            "destroying expired preview",
          );
        }
      } catch (err) {
        result.failed.push({ pr: preview.pr, error: messageOf(err) });
        logger.error({ err, pr: preview.pr }, "destroying an expired preview failed");
      }
    }
    result.swept.push(...(await this.sweepOrphans(listed, now)));
    return result;
  }

  private async sweepOrphans(listed: readonly PreviewView[], now: Date): Promise<string[]> {
    const { namespaces, logger } = this.deps;
    if (!namespaces) return [];
    const known = new Set(listed.map((preview) => preview.pr));
    let orphans;
    try {
      orphans = (await namespaces.list()).filter(
        (namespace) => !known.has(namespace.pr) && !namespace.terminating && now.getTime() - namespace.createdAt.getTime() >= orphanGraceMs,
      );
    } catch (err) {
      logger.warn({ err }, "listing preview namespaces failed; orphans are swept on a later pass");
      return [];
    }
    const swept: string[] = [];
    for (const namespace of orphans) {
      try {
        await namespaces.remove(namespace.name);
        swept.push(namespace.name);
        logger.warn({ pr: namespace.pr, namespace: namespace.name }, "deleted a preview namespace no preview owns");
      } catch (err) {
        logger.warn({ err, namespace: namespace.name }, "deleting an orphaned preview namespace failed");
      }
    }
    return swept;
  }
}
