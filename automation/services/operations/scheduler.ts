import { randomUUID } from "node:crypto";
import type { ChangeSummary, EngineEvent } from "../../engine/port";
import type { Clock, Logger } from "../../deps";
import { ServiceUnavailableError, messageOf } from "../../errors";
import type { OperationRegistry } from "./registry";
import type { Operation, OperationCause, OperationSubject, ServiceOperationKind } from "./types";

/** What a running operation's work function may use. */
export interface OperationContext {
  readonly operation: Operation;
  /** Aborted when the service gives up on the operation (shutdown timeout). */
  readonly signal: AbortSignal;
  /** Logger bound to the operation id. */
  readonly logger: Logger;
  onEvent(event: EngineEvent): void;
  /** Adds a line to the operation's log. */
  log(line: string): void;
  /** Records the engine's change summary (kept even if a later step fails). */
  recordChanges(changes: ChangeSummary): void;
}

/** Rejecting fails the operation with the error's message. */
export type OperationWork = (context: OperationContext) => Promise<void>;

export interface SubmitRequest {
  readonly kind: ServiceOperationKind;
  readonly stack: string;
  readonly actor: string;
  /** Default `api`. */
  readonly cause?: OperationCause;
  readonly subject?: OperationSubject;
  readonly desiredKey: string;
  readonly work: OperationWork;
  /** Runs after the final status is set, before the operation counts as done (journal, reporting). */
  readonly onSettled?: (operation: Operation) => Promise<void>;
}

/** Told when operations start and finish (metrics). */
export interface OperationObserver {
  finished(operation: Operation): void;
}

export interface OperationSchedulerDeps {
  readonly registry: OperationRegistry;
  /** Operations allowed to run at once across all stacks. */
  readonly maxConcurrent: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observers?: readonly OperationObserver[];
  readonly newId?: () => string;
}

interface Queued {
  readonly operation: Operation;
  readonly request: SubmitRequest;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const maxErrorLength = 4000;

/**
 * Runs operations one at a time per stack (FIFO) and at most `maxConcurrent`
 * at once overall. Work waiting for either limit stays `queued` and visible.
 */
export class OperationScheduler {
  private readonly queue: Queued[] = [];
  private readonly running = new Map<string, Running>();
  private readonly busyStacks = new Set<string>();
  private accepting = true;
  private readonly newId: () => string;

  constructor(private readonly deps: OperationSchedulerDeps) {
    if (!Number.isInteger(deps.maxConcurrent) || deps.maxConcurrent < 1) {
      throw new Error("`maxConcurrent` must be a positive integer");
    }
    this.newId = deps.newId ?? randomUUID;
  }

  submit(request: SubmitRequest): Operation {
    if (!this.accepting) throw new ServiceUnavailableError("the service is shutting down");
    const operation: Operation = {
      id: this.newId(),
      kind: request.kind,
      stack: request.stack,
      actor: request.actor,
      cause: request.cause ?? "api",
      subject: request.subject ?? {},
      desiredKey: request.desiredKey,
      status: "queued",
      queuedAt: this.deps.clock.now(),
      log: [],
      events: [],
    };
    this.deps.registry.add(operation);
    this.queue.push({ operation, request });
    this.deps.logger.info(
      { operationId: operation.id, stack: operation.stack, kind: operation.kind, actor: operation.actor },
      "operation queued",
    );
    // Work starts after the caller's synchronous code, so it can record the operation first.
    queueMicrotask(() => this.pump());
    return operation;
  }

  queueDepth(): number {
    return this.queue.length;
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Resolves when nothing is running (and, while accepting, nothing is queued). */
  async idle(): Promise<void> {
    await Promise.resolve();
    while (this.running.size > 0) {
      await Promise.all([...this.running.values()].map((running) => running.done));
    }
  }

  /**
   * Stops starting queued work and waits for running operations. After
   * `timeoutMs` the remaining ones are aborted and given `abortGraceMs` to
   * stop. Resolves `true` when nothing is left running.
   */
  async drain(timeoutMs: number, abortGraceMs = 5000): Promise<boolean> {
    this.accepting = false;
    if (await this.waitForRunning(timeoutMs)) return true;
    for (const running of this.running.values()) running.controller.abort(new Error("service shutting down"));
    return this.waitForRunning(abortGraceMs);
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

  private pump(): void {
    while (this.accepting && this.running.size < this.deps.maxConcurrent) {
      const index = this.queue.findIndex((entry) => !this.busyStacks.has(entry.operation.stack));
      if (index < 0) return;
      const [entry] = this.queue.splice(index, 1);
      if (entry) this.start(entry);
    }
  }

  private start({ operation, request }: Queued): void {
    const controller = new AbortController();
    this.busyStacks.add(operation.stack);
    const done = this.execute(operation, request, controller.signal).finally(() => {
      this.running.delete(operation.id);
      this.busyStacks.delete(operation.stack);
      this.pump();
    });
    this.running.set(operation.id, { controller, done });
  }

  private async execute(operation: Operation, request: SubmitRequest, signal: AbortSignal): Promise<void> {
    const { registry, clock } = this.deps;
    const logger = this.deps.logger.child({ operationId: operation.id, stack: operation.stack, kind: operation.kind });
    operation.status = "running";
    operation.startedAt = clock.now();
    registry.statusChanged(operation);
    logger.info("operation started");
    try {
      await request.work({
        operation,
        signal,
        logger,
        onEvent: (event) => registry.appendEvent(operation, event),
        log: (line) => registry.appendLog(operation, line),
        recordChanges: (changes) => {
          operation.changes = changes;
        },
      });
      operation.status = "succeeded";
    } catch (err) {
      operation.status = "failed";
      operation.error = messageOf(err).slice(0, maxErrorLength);
      if (signal.aborted) operation.interrupted = true;
      logger.warn({ err }, "operation failed");
    }
    operation.finishedAt = clock.now();
    registry.statusChanged(operation);
    logger.info({ status: operation.status }, "operation finished");
    for (const observer of this.deps.observers ?? []) {
      try {
        observer.finished(operation);
      } catch (err) {
        logger.error({ err }, "operation observer failed");
      }
    }
    try {
      await request.onSettled?.(operation);
    } catch (err) {
      logger.error({ err }, "settling the operation failed");
    }
  }
}
