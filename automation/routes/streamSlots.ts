/**
 * Bounds on open event streams: each one holds a connection and polls the
 * store, so a token, or everyone together, may hold only so many at once.
 */
import { LimitReachedError } from "../errors";

export interface StreamLimits {
  /** Open streams per token; default 5. */
  readonly perToken?: number;
  /** Open streams in all on this replica; default 100. */
  readonly total?: number;
}

export class StreamSlots {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: StreamLimits = {}) {}

  /** Takes a slot for `token`, or throws `LimitReachedError`; call the returned function once the stream ends. */
  take(token: string): () => void {
    const perToken = this.limits.perToken ?? 5;
    const total = this.limits.total ?? 100;
    const mine = this.open.get(token) ?? 0;
    if (mine >= perToken) throw new LimitReachedError(`this token has ${mine} event streams open, the most it may; close one first`, 5);
    if (this.total >= total) throw new LimitReachedError(`the service has ${this.total} event streams open, the most it serves; retry later`, 5);
    this.open.set(token, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.open.get(token) ?? 1) - 1;
      if (left > 0) this.open.set(token, left);
      else this.open.delete(token);
    };
  }

  /** Streams open now, for tests and metrics. */
  count(token?: string): number {
    return token === undefined ? this.total : (this.open.get(token) ?? 0);
  }
}
