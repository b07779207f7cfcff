import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SseSender, type EventStreamTarget } from "../../../automation/routes/sseSender";

/** A client whose socket buffer is full (`write` returns false) until the test says otherwise. */
class FakeClient extends EventEmitter implements EventStreamTarget {
  readonly chunks: string[] = [];
  accepting = false;
  writableLength = 0;
  ended = false;
  destroyed = false;

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    if (!this.accepting) this.writableLength += chunk.length;
    return this.accepting;
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit("close");
  }

  drain(): void {
    this.writableLength = 0;
    this.emit("drain");
  }
}

const options = { heartbeatMs: 1_000, slowClientMs: 5_000 };

describe("SseSender", () => {
  let client: FakeClient;
  let sender: SseSender;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new FakeClient();
    sender = new SseSender(client, options);
  });
  afterEach(() => {
    sender.end();
    vi.useRealTimers();
  });

  it("writes an event with its id, name and JSON data", async () => {
    client.accepting = true;

    await sender.send("status", { status: "running" }, 7);

    expect(client.chunks).toEqual(['id: 7\nevent: status\ndata: {"status":"running"}\n\n']);
  });

  it("waits for drain before the next event once the client's buffer is full", async () => {
    let settled = false;
    const sending = sender.send("engine", { n: 1 }).then(() => {
      settled = true;
    });

    await vi.advanceTimersByTimeAsync(4_000);
    expect(settled).toBe(false);
    client.drain();
    await sending;

    expect(settled).toBe(true);
    expect(sender.closed).toBe(false);
    expect(client.destroyed).toBe(false);
  });

  it("disconnects a client that stays blocked longer than slowClientMs", async () => {
    const sending = sender.send("engine", { n: 1 });

    await vi.advanceTimersByTimeAsync(5_000);
    await sending;

    expect(client.destroyed).toBe(true);
    expect(sender.closed).toBe(true);
  });

  it("writes nothing more once the client has gone", async () => {
    client.emit("close");

    await sender.send("engine", { n: 1 });
    sender.end();

    expect(client.chunks).toEqual([]);
    expect(client.ended).toBe(false);
  });

  it("sends a keep-alive comment while nothing is buffered, and none while the client is behind", async () => {
    client.accepting = true;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.chunks).toEqual([": keep-alive\n\n", ": keep-alive\n\n"]);

    client.writableLength = 10;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.chunks).toHaveLength(2);
  });

  it("stops the heartbeat and ends the response on end()", async () => {
    client.accepting = true;

    sender.end();
    await vi.advanceTimersByTimeAsync(5_000);

    expect(client.ended).toBe(true);
    expect(client.chunks).toEqual([]);
  });
});
