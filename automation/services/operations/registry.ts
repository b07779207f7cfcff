import type { EngineEvent } from "../../engine/port";
import { isActive, type Operation, type OperationUpdate } from "./types";

export type OperationListener = (update: OperationUpdate) => void;

export interface OperationRegistryOptions {
  /** Finished operations kept in memory; older ones are forgotten first. */
  readonly maxFinished?: number;
  /** Events and log lines kept per operation; later ones are dropped and counted. */
  readonly maxEntriesPerOperation?: number;
}

/**
 * In-process record of operations: status, times, log lines and engine
 * events, with subscriptions for live followers (server-sent events).
 * Durable preview state lives in the engine and the preview journal; this
 * registry only has to outlive a request.
 */
export class OperationRegistry {
  private readonly operations = new Map<string, Operation>();
  private readonly listeners = new Map<string, Set<OperationListener>>();
  private readonly maxFinished: number;
  private readonly maxEntries: number;

  constructor(options: OperationRegistryOptions = {}) {
    this.maxFinished = options.maxFinished ?? 1000;
    this.maxEntries = options.maxEntriesPerOperation ?? 10_000;
  }

  add(operation: Operation): void {
    this.operations.set(operation.id, operation);
    this.prune();
  }

  get(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  /** All known operations, oldest first. */
  list(): Operation[] {
    return [...this.operations.values()];
  }

  /** The most recently submitted operation on a stack. */
  latestFor(stack: string): Operation | undefined {
    let latest: Operation | undefined;
    for (const operation of this.operations.values()) {
      if (operation.stack === stack) latest = operation;
    }
    return latest;
  }

  /** The most recently submitted operation on a stack that has not finished. */
  activeFor(stack: string): Operation | undefined {
    let active: Operation | undefined;
    for (const operation of this.operations.values()) {
      if (operation.stack === stack && isActive(operation)) active = operation;
    }
    return active;
  }

  appendEvent(operation: Operation, event: EngineEvent): void {
    if (operation.events.length >= this.maxEntries) return;
    operation.events.push(event);
    this.emit(operation.id, { type: "event", event });
  }

  appendLog(operation: Operation, line: string): void {
    if (operation.log.length >= this.maxEntries) return;
    operation.log.push(line);
    this.emit(operation.id, { type: "log", line });
  }

  /** Announces a status change that the caller has applied to `operation`. */
  statusChanged(operation: Operation): void {
    this.emit(operation.id, { type: "status", operation });
    if (!isActive(operation)) {
      this.listeners.delete(operation.id);
      this.prune();
    }
  }

  /** Follows one operation; returns the function that stops following. */
  subscribe(id: string, listener: OperationListener): () => void {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  private emit(id: string, update: OperationUpdate): void {
    for (const listener of [...(this.listeners.get(id) ?? [])]) listener(update);
  }

  private prune(): void {
    const finished = [...this.operations.values()].filter((operation) => !isActive(operation));
    for (const operation of finished.slice(0, Math.max(0, finished.length - this.maxFinished))) {
      this.operations.delete(operation.id);
    }
  }
}
