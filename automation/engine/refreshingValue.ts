/**
 * A value read through a slow loader (a Pulumi CLI run), served
 * stale-while-revalidate: fresh for `ttlMs`; then, up to `maxStaleMs` old,
 * answered at once while one background load refreshes it; older than that,
 * or after a failed refresh, the caller waits for a load (and sees its
 * error). Concurrent loads are shared, and a failed load is never kept.
 */
export interface RefreshingValueOptions {
  readonly ttlMs: number;
  readonly maxStaleMs: number;
  readonly now: () => number;
}

export class RefreshingValue<T> {
  private current: { readonly at: number; readonly value: T } | undefined;
  private loading: Promise<T> | undefined;
  private lastRefreshFailed = false;
  private version = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: RefreshingValueOptions,
  ) {}

  get(): Promise<T> {
    const { current } = this;
    if (!current || this.lastRefreshFailed) return this.refresh();
    const age = this.options.now() - current.at;
    if (age < this.options.ttlMs) return Promise.resolve(current.value);
    if (age >= this.options.maxStaleMs) return this.refresh();
    this.refresh().catch(() => undefined);
    return Promise.resolve(current.value);
  }

  /** A value known to be current (this process just wrote it). */
  set(value: T): void {
    this.version += 1;
    this.current = { at: this.options.now(), value };
    this.lastRefreshFailed = false;
  }

  /** The cached value, fresh or stale, without loading. */
  peek(): T | undefined {
    return this.current?.value;
  }

  /** Makes the next `get` refresh (answering the stale value meanwhile). */
  expire(): void {
    if (this.current) this.current = { at: this.options.now() - this.options.ttlMs, value: this.current.value };
  }

  private refresh(): Promise<T> {
    const version = this.version;
    this.loading ??= this.load().then(
      (value) => {
        this.loading = undefined;
        // A value set while this load ran is newer than what the load read.
        if (this.version !== version && this.current) return this.current.value;
        this.set(value);
        return value;
      },
      (error: unknown) => {
        this.loading = undefined;
        this.lastRefreshFailed = true;
        throw error;
      },
    );
    return this.loading;
  }
}
