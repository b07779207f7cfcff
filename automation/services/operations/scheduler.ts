/**
 * Runs queued operations on this replica: claims them from the shared store
 * (any replica may take any operation; one runs per stack), at most
 * `maxConcurrent` at a time here, and runs each kind's handler. The stack's
 * lease, taken with the claim, is kept renewed while the operation runs;
 * when it is lost the run is interrupted and left for whoever claims the
 * operation next. Log lines and engine events are stored as they come (in
 * small batches), so any replica can serve them.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { LeaseKeeper } from "../../coordination/leaseKeeper";
import type { ChangeSummary, EngineEvent } from "../../engine/port";
import type { Clock, Logger } from "../../deps";
import { errorSummary, fullMessageOf, redactCredentials, ServiceUnavailableError } from "../../errors";
import type { LeaseRef } from "../../store/leases";
import type { ClaimedOperation, OperationStore, Outcome } from "./store";
import type { NewEntry, Operation, ServiceOperationKind } from "./types";

/** What a running operation's handler may use. */
export interface OperationContext {
  readonly operation: Operation;
  /** Aborted when the service gives up on the operation (shutdown timeout) or loses its stack's lease. */
  readonly signal: AbortSignal;
  /** Logger bound to the operation id. */
  readonly logger: Logger;
  onEvent(event: EngineEvent): void;
  /** Adds a line to the operation's log. */
  log(line: string): void;
  /** Records the engine's change summary (kept even if a later step fails). */
  recordChanges(changes: ChangeSummary): void;
}

/** How one kind of operation runs, from the payload it was submitted with. */
export interface OperationHandler {
  /** Rejecting fails the operation with the error's message. */
  run(context: OperationContext, payload: unknown): Promise<void>;
  /** After the outcome is recorded (reporting, journal). */
  settled?(operation: Operation, payload: unknown): Promise<void>;
}

/** Told when operations finish (metrics, audit trail): once per operation, by the replica that recorded its outcome. */
export interface OperationObserver {
  finished(operation: Operation): void;
}

export interface OperationSchedulerDeps {
  readonly store: OperationStore;
  /** This replica's id, recorded as the owner of what it runs. */
  readonly owner: string;
  /** Keeps claimed stack leases renewed; without it (unit tests, memory store) they are not renewed. */
  readonly leases?: LeaseKeeper;
  /** Operations this replica runs at once. */
  readonly maxConcurrent: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observers?: readonly OperationObserver[];
  readonly newId?: () => string;
  /** How often to look for work besides notifications (orphaned operations show up this way). */
  readonly pollMs?: number;
  /** Entries kept per operation; later ones are dropped and counted. */
  readonly maxEntriesPerOperation?: number;
  /** At most this many bytes (as JSON) of log lines and events kept per run of an operation; default 2 MiB. */
  readonly maxEntryBytesPerOperation?: number;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  /** Aborted by the shutdown timeout (the operation is put back in the queue), not by a lost lease. */
  abandoned: boolean;
}

const maxErrorLength = 4000;
const flushEveryMs = 200;
/** Pause before an operation that met an unavailable store is queued again, so it does not spin. */
const retryDelayMs = 1000;

export class OperationScheduler {
  private readonly handlers = new Map<ServiceOperationKind, OperationHandler>();
  private readonly running = new Map<string, Running>();
  private accepting = true;
  private started = false;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly newId: () => string;

  constructor(private readonly deps: OperationSchedulerDeps) {
    if (!Number.isInteger(deps.maxConcurrent) || deps.maxConcurrent < 1) {
      throw new Error("`maxConcurrent` must be a positive integer");
    }
    this.newId = deps.newId ?? randomUUID;
  }

  /** The id of the next operation to submit. */
  nextId(): string {
    if (!this.accepting) throw new ServiceUnavailableError("the service is shutting down");
    return this.newId();
  }

  handle(kind: ServiceOperationKind, handler: OperationHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Starts taking work: at once, on every change any replica announces, and every poll period. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.deps.store.onChange(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /** Looks for work now (after a submission on this replica). */
  wake(): void {
    if (!this.started || !this.accepting) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  async queueDepth(): Promise<number> {
    return (await this.deps.store.counts()).queued;
  }

  /** Operations this replica runs now. */
  runningCount(): number {
    return this.running.size;
  }

  /** Resolves when this replica runs nothing and the store has nothing left to run (tests). */
  async idle(): Promise<void> {
    for (;;) {
      await this.pumping;
      await Promise.all([...this.running.values()].map((running) => running.done));
      if (this.running.size > 0 || this.pumping) continue;
      if ((await this.deps.store.unfinished()).length === 0) return;
      this.wake();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Stops taking work and waits for running operations. After `timeoutMs`
   * the remaining ones are interrupted and put back in the queue (another
   * replica, or this one after a restart, runs them again), with
   * `abortGraceMs` to stop. Resolves `true` when nothing was interrupted.
   */
  async drain(timeoutMs: number, abortGraceMs = 5000): Promise<boolean> {
    this.accepting = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.pumping;
    if (await this.waitForRunning(timeoutMs)) return true;
    for (const running of this.running.values()) {
      running.abandoned = true;
      running.controller.abort(new Error("service shutting down"));
    }
    await this.waitForRunning(abortGraceMs);
    return false;
  }

  private async waitForRunning(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const allDone = Promise.all([...this.running.values()].map((running) => running.done)).then(() => true as const);
    try {
      return await Promise.race([allDone, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async pump(): Promise<void> {
    while (this.accepting && this.running.size < this.deps.maxConcurrent) {
      let claimed: ClaimedOperation | undefined;
      try {
        claimed = await this.deps.store.claim(this.deps.owner, this.deps.clock.now());
      } catch (err) {
        this.deps.logger.warn({ err }, "claiming an operation failed; retrying at the next poll");
        return;
      }
      if (!claimed) return;
      this.begin(claimed);
    }
  }

  private begin(claimed: ClaimedOperation): void {
    const controller = new AbortController();
    const held = this.deps.leases?.adopt(claimed.lease);
    const signal = held ? AbortSignal.any([controller.signal, held.signal]) : controller.signal;
    const running: Running = {
      controller,
      abandoned: false,
      done: this.execute(claimed, signal, () => running.abandoned)
        .catch((err: unknown) => this.deps.logger.error({ err, operationId: claimed.operation.id }, "running an operation failed"))
        .finally(async () => {
          await (held ? held.release() : Promise.resolve());
          this.running.delete(claimed.operation.id);
          this.wake();
        }),
    };
    this.running.set(claimed.operation.id, running);
  }

  private async execute(claimed: ClaimedOperation, signal: AbortSignal, abandoned: () => boolean): Promise<void> {
    const { store, clock } = this.deps;
    const { operation, payload, lease } = claimed;
    const logger = this.deps.logger.child({ operationId: operation.id, stack: operation.stack, kind: operation.kind, attempt: operation.attempts });
    const handler = this.handlers.get(operation.kind);
    const entries = new EntryWriter(store, operation.id, operation.attempts, {
      entries: this.deps.maxEntriesPerOperation ?? 10_000,
      bytes: this.deps.maxEntryBytesPerOperation ?? 2 * 1024 * 1024,
    }, logger);
    logger.info(operation.attempts > 1 ? "operation taken over: running it again" : "operation started");
    let changes: ChangeSummary | undefined;
    let outcome: Outcome;
    let unavailable = false;
    try {
      if (!handler) throw new Error(`no handler for ${operation.kind} operations`);
      await handler.run(
        {
          operation,
          signal,
          logger,
          // The CLI quotes its backend URL in some errors; the log and events are shown to API clients.
          onEvent: (event) => entries.add({ kind: "event", event: event.message === undefined ? event : { ...event, message: redactCredentials(event.message) } }),
          log: (line) => entries.add({ kind: "log", line: redactCredentials(line) }),
          recordChanges: (summary) => {
            changes = summary;
          },
        },
        payload,
      );
      outcome = { status: "succeeded", finishedAt: clock.now(), ...(changes ? { changes } : {}) };
    } catch (err) {
      unavailable = err instanceof ServiceUnavailableError;
      // The whole message stays in the operation's log (and the service log); the record shows users a summary.
      entries.add({ kind: "log", line: `error: ${fullMessageOf(err).slice(0, maxErrorLength)}` });
      outcome = { status: "failed", finishedAt: clock.now(), ...(changes ? { changes } : {}), error: errorSummary(err) };
      if (!signal.aborted) logger.warn({ err }, "operation failed");
    }
    await entries.close();
    if (signal.aborted) {
      await this.giveUp(operation, lease, abandoned(), logger);
      return;
    }
    if (outcome.status === "failed" && unavailable) {
      // The database or the state backend was down for a moment: run it again rather than fail it.
      logger.warn({ error: outcome.error }, "the store or the state backend was unavailable; putting the operation back in the queue");
      await sleep(retryDelayMs);
      await store.requeue(operation.id, lease).catch((err: unknown) => logger.warn({ err }, "could not put the operation back; it is claimed again once its lease expires"));
      return;
    }
    if (!(await store.finish(operation.id, outcome, lease))) {
      logger.warn("another replica took the operation over; its outcome is theirs");
      return;
    }
    const finished: Operation = { ...operation, ...outcome };
    logger.info({ status: finished.status }, "operation finished");
    for (const observer of this.deps.observers ?? []) {
      try {
        observer.finished(finished);
      } catch (err) {
        logger.error({ err }, "operation observer failed");
      }
    }
    try {
      await handler?.settled?.(finished, payload);
    } catch (err) {
      logger.error({ err }, "settling the operation failed");
    }
  }

  /** An interrupted run: back to the queue at shutdown; after a lost lease, left to the replica that claims it next. */
  private async giveUp(operation: Operation, lease: LeaseRef, abandoned: boolean, logger: Logger): Promise<void> {
    if (!abandoned) {
      logger.warn("lost the stack's lease during the operation; whoever claims it next runs it again");
      return;
    }
    await this.deps.store.requeue(operation.id, lease).catch((err: unknown) => logger.warn({ err }, "could not put the operation back in the queue; it is claimed again once its lease expires"));
    logger.warn("operation interrupted by shutdown and put back in the queue");
  }
}

/** Stores an operation's entries in small batches, keeping at most `max.entries` of them and `max.bytes` in all. */
class EntryWriter {
  private buffer: NewEntry[] = [];
  private written = 0;
  private bytes = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: OperationStore,
    private readonly id: string,
    private readonly attempt: number,
    private readonly max: { readonly entries: number; readonly bytes: number },
    private readonly logger: Logger,
  ) {}

  add(entry: NewEntry): void {
    const size = Buffer.byteLength(JSON.stringify(entry.kind === "event" ? entry.event : entry.line));
    if (this.dropped > 0 || this.written + this.buffer.length >= this.max.entries || this.bytes + size > this.max.bytes) {
      this.dropped += 1;
      return;
    }
    this.bytes += size;
    this.buffer.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), flushEveryMs);
  }

  async close(): Promise<void> {
    if (this.dropped > 0) this.buffer.push({ kind: "log", line: `(${this.dropped} more log lines and events were not kept)` });
    await this.flush();
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.written += batch.length;
    this.flushing = this.flushing
      .then(() => this.store.append(this.id, this.attempt, batch))
      .catch((err: unknown) => this.logger.warn({ err }, "storing the operation's log failed; those lines are lost"));
    return this.flushing;
  }
}
