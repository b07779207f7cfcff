/**
 * Fast reads for the API: a `StackEngine` that remembers stack lists and
 * outputs. Every read of the real engine is a Pulumi CLI run (hundreds of
 * milliseconds, seconds under load), and listing previews reads the list and
 * every preview's outputs. This process's own updates refresh the cache as
 * they finish (an update's result carries its outputs), and entries expire
 * after a short time so changes made elsewhere (another replica, the CLI)
 * show up too. Concurrent reads of the same thing share one CLI run.
 */
import type { OperationOptions, PreviewResult, StackConfig, StackEngine, StackSummary, UpResult } from "./port";

export interface CachedReadsOptions {
  /** How long a stack list is reused (default 10 s). */
  readonly listTtlMs?: number;
  /** How long a stack's outputs are reused when this process did not change the stack (default 30 s). */
  readonly outputsTtlMs?: number;
  readonly now?: () => number;
}

interface Entry<T> {
  readonly at: number;
  readonly value: Promise<T>;
}

export class CachedReadsEngine implements StackEngine {
  private list$?: Entry<StackSummary[]>;
  private readonly outputs$ = new Map<string, Entry<Record<string, unknown>>>();
  private readonly listTtlMs: number;
  private readonly outputsTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: StackEngine,
    options: CachedReadsOptions = {},
  ) {
    this.listTtlMs = options.listTtlMs ?? 10_000;
    this.outputsTtlMs = options.outputsTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async up(stack: string, config: StackConfig, options?: OperationOptions): Promise<UpResult> {
    try {
      const result = await this.inner.up(stack, config, options);
      this.outputs$.set(stack, { at: this.now(), value: Promise.resolve(result.outputs) });
      return result;
    } catch (error) {
      this.outputs$.delete(stack);
      throw error;
    } finally {
      // A first update creates the stack.
      this.list$ = undefined;
    }
  }

  preview(stack: string, config: StackConfig, options?: OperationOptions): Promise<PreviewResult> {
    return this.inner.preview(stack, config, options);
  }

  async destroy(stack: string, options?: OperationOptions): Promise<void> {
    try {
      await this.inner.destroy(stack, options);
    } finally {
      this.outputs$.delete(stack);
      this.list$ = undefined;
    }
  }

  outputs(stack: string): Promise<Record<string, unknown>> {
    const cached = this.outputs$.get(stack);
    if (cached && this.now() - cached.at < this.outputsTtlMs) return cached.value;
    const entry = { at: this.now(), value: this.inner.outputs(stack) };
    this.outputs$.set(stack, entry);
    entry.value.catch(() => {
      if (this.outputs$.get(stack) === entry) this.outputs$.delete(stack);
    });
    return entry.value;
  }

  config(stack: string): Promise<Record<string, string>> {
    return this.inner.config(stack);
  }

  list(): Promise<StackSummary[]> {
    const cached = this.list$;
    if (cached && this.now() - cached.at < this.listTtlMs) return cached.value;
    const entry = { at: this.now(), value: this.inner.list() };
    this.list$ = entry;
    entry.value.catch(() => {
      if (this.list$ === entry) this.list$ = undefined;
    });
    return entry.value;
  }

  async recover(stack: string): Promise<void> {
    await this.inner.recover(stack);
    this.outputs$.delete(stack);
    this.list$ = undefined;
  }
}
