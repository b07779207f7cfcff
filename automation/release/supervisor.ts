/**
 * Keeps this replica's share of the releases moving: every poll interval it
 * takes over active releases nobody drives (their replica died and its lease
 * expired) and applies queued commands of the releases it drives; commands
 * also arrive at once through the queue's notifications.
 */
import type { Logger } from "../deps";
import type { ReleaseCommands } from "./ports";

export interface SupervisedController {
  recover(): Promise<unknown>;
  drainCommands(id: string): Promise<void>;
  /** Ids of the releases this replica drives. */
  driven(): string[];
}

export class ReleaseSupervisor {
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private pass: Promise<void> | undefined;

  constructor(
    private readonly controller: SupervisedController,
    private readonly commands: ReleaseCommands,
    private readonly options: { readonly intervalMs: number; readonly logger: Logger },
  ) {}

  /** One pass now, then one every interval. */
  async start(): Promise<void> {
    this.unwatch = this.commands.watch((releaseId) => void this.controller.drainCommands(releaseId));
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** Overlapping ticks share the pass in progress. */
  tick(): Promise<void> {
    this.pass ??= (async () => {
      try {
        await this.controller.recover();
        await Promise.all(this.controller.driven().map((id) => this.controller.drainCommands(id)));
      } catch (error) {
        this.options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, "release takeover pass failed; retrying at the next one");
      } finally {
        this.pass = undefined;
      }
    })();
    return this.pass;
  }
}
