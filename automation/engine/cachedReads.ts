/**
 * Fast reads for the API: a `StackEngine` that remembers stack lists and
 * outputs. Every read of the real engine is a Pulumi CLI run (hundreds of
 * milliseconds, seconds under load), and listing previews reads the list and
 * every preview's outputs. Reads are served stale-while-revalidate
 * (`refreshingValue.ts`): an expired entry is answered at once while one
 * background run refreshes it, so changes made elsewhere (another replica,
 * the CLI) show up within a TTL plus one read, and a request waits for the
 * CLI only on a first read, a read older than the staleness bound, or after
 * a failed refresh. This process's own updates and destroys are applied to
 * the cache as they finish (an update's result carries its outputs), so
 * they show at once.
 */
import type { OperationOptions, PreviewResult, StackConfig, StackEngine, StackSummary, UpResult } from "./port";
import { RefreshingValue } from "./refreshingValue";

export interface CachedReadsOptions {
  /** How long a stack list is answered without a refresh (default 10 s). */
  readonly listTtlMs?: number;
  /** How long a stack's outputs are answered without a refresh (default 30 s). */
  readonly outputsTtlMs?: number;
  /** Older than this, a read waits for fresh data instead of answering the stale copy (default 60 s). */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
}

/** A stack this process updated (summary) or destroyed (undefined), newer than the last list read. */
interface LocalChange {
  readonly sequence: number;
  readonly summary: StackSummary | undefined;
}

export class CachedReadsEngine implements StackEngine {
  private readonly stackList: RefreshingValue<StackSummary[]>;
  private readonly outputsByStack = new Map<string, RefreshingValue<Record<string, unknown>>>();
  private readonly localChanges = new Map<string, LocalChange>();
  private sequence = 0;
  private readonly outputsTtlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: StackEngine,
    options: CachedReadsOptions = {},
  ) {
    this.outputsTtlMs = options.outputsTtlMs ?? 30_000;
    this.maxStaleMs = options.maxStaleMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.stackList = new RefreshingValue(() => this.readList(), {
      ttlMs: options.listTtlMs ?? 10_000,
      maxStaleMs: this.maxStaleMs,
      now: this.now,
    });
  }

  async up(stack: string, config: StackConfig, options?: OperationOptions): Promise<UpResult> {
    try {
      const result = await this.inner.up(stack, config, options);
      this.outputsEntry(stack).set(result.outputs);
      const previous = this.stackList.peek()?.find((summary) => summary.name === stack);
      this.recordLocalChange(stack, { ...previous, name: stack, lastUpdate: new Date(this.now()).toISOString(), updateInProgress: false });
      return result;
    } catch (error) {
      // A failed first update may still have created the stack; a failed one changed its outputs.
      this.outputsByStack.delete(stack);
      this.stackList.expire();
      throw error;
    }
  }

  preview(stack: string, config: StackConfig, options?: OperationOptions): Promise<PreviewResult> {
    return this.inner.preview(stack, config, options);
  }

  async destroy(stack: string, options?: OperationOptions): Promise<void> {
    try {
      await this.inner.destroy(stack, options);
      this.recordLocalChange(stack, undefined);
    } catch (error) {
      this.stackList.expire();
      throw error;
    } finally {
      this.outputsByStack.delete(stack);
    }
  }

  outputs(stack: string): Promise<Record<string, unknown>> {
    return this.outputsEntry(stack).get();
  }

  config(stack: string): Promise<Record<string, string>> {
    return this.inner.config(stack);
  }

  async list(): Promise<StackSummary[]> {
    const listed = await this.stackList.get();
    if (this.localChanges.size === 0) return listed;
    const byName = new Map(listed.map((summary) => [summary.name, summary]));
    for (const [name, change] of this.localChanges) {
      if (change.summary) byName.set(name, change.summary);
      else byName.delete(name);
    }
    return [...byName.values()];
  }

  async recover(stack: string): Promise<void> {
    await this.inner.recover(stack);
    this.outputsByStack.delete(stack);
    this.stackList.expire();
  }

  private recordLocalChange(stack: string, summary: StackSummary | undefined): void {
    this.localChanges.set(stack, { sequence: ++this.sequence, summary });
  }

  /** A list read that started after a local change includes it, so the change is dropped once the read lands. */
  private async readList(): Promise<StackSummary[]> {
    const startedAfter = this.sequence;
    const listed = await this.inner.list();
    for (const [name, change] of this.localChanges) if (change.sequence <= startedAfter) this.localChanges.delete(name);
    return listed;
  }

  private outputsEntry(stack: string): RefreshingValue<Record<string, unknown>> {
    let entry = this.outputsByStack.get(stack);
    if (!entry) {
      entry = new RefreshingValue(() => this.inner.outputs(stack), { ttlMs: this.outputsTtlMs, maxStaleMs: this.maxStaleMs, now: this.now });
      this.outputsByStack.set(stack, entry);
    }
    return entry;
  }
}
