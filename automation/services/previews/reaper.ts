/** Destroys previews whose `expiresAt` has passed, at start and then periodically. */
import type { Clock, Logger } from "../../deps";
import { messageOf } from "../../errors";
import type { PreviewService } from "./previewService";
import { isExpired } from "./status";

export const reaperActor = "rollgate-reaper";

export interface ReaperDeps {
  readonly previews: PreviewService;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ReaperPass {
  /** PRs whose destroy was started. */
  readonly destroyed: number[];
  readonly failed: { readonly pr: number; readonly error: string }[];
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
    const { previews, clock, logger } = this.deps;
    const now = clock.now();
    const result: ReaperPass = { destroyed: [], failed: [] };
    for (const preview of await previews.list()) {
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
    return result;
  }
}
