/**
 * Server-sent events to one client: each event is written respecting
 * backpressure (once the socket's buffer is full the next write waits for
 * `drain`), a client that stays blocked longer than `slowClientMs` is
 * disconnected, and an idle stream gets keep-alive comments.
 */
import type { Response } from "express";

/** What the sender needs of a response: express's `Response` is one, and so is a test's fake. */
export interface EventStreamTarget {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

export interface SseSenderOptions {
  /** Interval of keep-alive comments while nothing is buffered. */
  readonly heartbeatMs: number;
  /** A client that reads nothing for this long while its buffer is full is disconnected. */
  readonly slowClientMs: number;
}

export class SseSender {
  private open = true;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly target: EventStreamTarget,
    private readonly options: SseSenderOptions,
  ) {
    target.once("close", () => this.stop());
    this.heartbeat = setInterval(() => {
      if (this.open && target.writableLength === 0) target.write(": keep-alive\n\n");
    }, options.heartbeatMs);
  }

  /** False once the client went, was let go, or `end()` was called. */
  get closed(): boolean {
    return !this.open;
  }

  /** Writes one event; resolves when the client can take more (or is gone). Never rejects. */
  async send(event: string, data: unknown, id?: number): Promise<void> {
    if (!this.open) return;
    if (this.target.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) return;
    if (!(await this.drained()) && this.open) {
      this.stop();
      this.target.destroy();
    }
  }

  /** Ends the stream (when still open) and stops the heartbeat. */
  end(): void {
    if (!this.open) return;
    this.stop();
    this.target.end();
  }

  private stop(): void {
    this.open = false;
    clearInterval(this.heartbeat);
  }

  /** True on `drain`; false when the client closes or stays blocked past `slowClientMs`. */
  private drained(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.target.off("drain", onDrain);
        this.target.off("close", onClose);
        resolve(value);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), this.options.slowClientMs);
      this.target.once("drain", onDrain);
      this.target.once("close", onClose);
    });
  }
}

/** Answers 200 with the event-stream headers (no proxy buffering) and returns the sender for the response. */
export function openEventStream(res: Response, options: SseSenderOptions): SseSender {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  return new SseSender(res, options);
}
