import pino from "pino";
import { describe, expect, it } from "vitest";
import { OperationScheduler, type OperationContext, type OperationHandler } from "../../../automation/services/operations/scheduler";
import { MemoryOperationStore } from "../../../automation/services/operations/store";
import type { Operation } from "../../../automation/services/operations/types";
import { BackendUnavailableError } from "../../../automation/errors";
import { FakeClock } from "../support/harness";

interface Gate {
  readonly run: (context: OperationContext) => Promise<void>;
  open(): void;
  fail(error: Error): void;
  readonly started: Promise<void>;
}

function gate(): Gate {
  let open: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return {
    run: async () => {
      markStarted();
      await done;
    },
    open: () => open(),
    fail: (error) => fail(error),
    started,
  };
}

/** A scheduler on a memory store whose `up` handler runs the payload's named gate (or succeeds at once). */
function scheduler(maxConcurrent: number) {
  const store = new MemoryOperationStore();
  const gates = new Map<string, (context: OperationContext) => Promise<void>>();
  const settled: Operation[] = [];
  const ops = new OperationScheduler({ store, owner: "test", maxConcurrent, clock: new FakeClock(), logger: pino({ level: "silent" }), pollMs: 20 });
  const handler: OperationHandler = {
    run: (context, payload) => (gates.get(String(payload)) ?? (async () => undefined))(context),
    settled: async (operation) => {
      settled.push(operation);
    },
  };
  ops.handle("up", handler);
  ops.handle("destroy", handler);
  ops.start();
  let n = 0;
  const submit = (stack: string, run?: (context: OperationContext) => Promise<void>): string => {
    const id = `op-${++n}`;
    if (run) gates.set(id, run);
    store.insert({ id, kind: "up", stack, actor: "test", cause: "api", subject: {}, desiredKey: "k", queuedAt: new Date(), payload: id });
    ops.wake();
    return id;
  };
  const status = async (id: string) => (await store.get(id))?.status;
  return { store, ops, submit, status, settled };
}

describe("OperationScheduler", () => {
  it("runs operations on one stack one after another, in order", async () => {
    const { ops, submit, status } = scheduler(4);
    const first = gate();
    const second = gate();

    const a = submit("s1", first.run);
    const b = submit("s1", second.run);
    await first.started;

    expect(await status(a)).toBe("running");
    expect(await status(b)).toBe("queued");
    first.open();
    await second.started;
    expect(await status(a)).toBe("succeeded");
    expect(await status(b)).toBe("running");
    second.open();
    await ops.idle();
    expect(await status(b)).toBe("succeeded");
  });

  it("runs different stacks in parallel up to its limit, leaving the rest queued", async () => {
    const { ops, submit, status } = scheduler(2);
    const gates = [gate(), gate(), gate()];

    const ids = gates.map((g, index) => submit(`s${index}`, g.run));
    await gates[0]?.started;
    await gates[1]?.started;

    expect(await Promise.all(ids.map(status))).toEqual(["running", "running", "queued"]);
    expect(await ops.queueDepth()).toBe(1);
    expect(ops.runningCount()).toBe(2);
    gates[1]?.open();
    await gates[2]?.started;
    expect(await status(ids[2]!)).toBe("running");
    gates[0]?.open();
    gates[2]?.open();
    await ops.idle();
    expect(await ops.queueDepth()).toBe(0);
  });

  it("lets a later stack overtake a queued operation whose stack is busy", async () => {
    const { ops, submit, status } = scheduler(2);
    const busy = gate();
    const behind = gate();
    const other = gate();

    submit("s1", busy.run);
    const waiting = submit("s1", behind.run);
    const overtaking = submit("s2", other.run);
    await other.started;

    expect(await status(waiting)).toBe("queued");
    expect(await status(overtaking)).toBe("running");
    busy.open();
    behind.open();
    other.open();
    await ops.idle();
  });

  it("records a failure with its message, tells the handler, and keeps the queue moving", async () => {
    const { ops, submit, store, settled } = scheduler(1);
    const failing = gate();

    const a = submit("s1", failing.run);
    const b = submit("s1");
    failing.fail(new Error("engine exploded"));
    await ops.idle();

    expect(await store.get(a)).toMatchObject({ status: "failed", error: "engine exploded", finishedAt: expect.any(Date) });
    expect((await store.get(b))?.status).toBe("succeeded");
    expect(settled.map((operation) => [operation.id, operation.status])).toEqual([[a, "failed"], [b, "succeeded"]]);
  });

  it("on drain waits for running work, takes no more and leaves queued work queued", async () => {
    const { ops, submit, status } = scheduler(1);
    const running = gate();
    const a = submit("s1", running.run);
    const b = submit("s2");
    await running.started;

    const drained = ops.drain(1000);
    running.open();

    await expect(drained).resolves.toBe(true);
    expect(await status(a)).toBe("succeeded");
    expect(await status(b)).toBe("queued");
    expect(() => ops.nextId()).toThrow(/shutting down/);
  });

  it("puts running work back in the queue when the drain timeout passes, without an outcome", async () => {
    const { ops, submit, store, settled } = scheduler(1);
    let aborted = false;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const a = submit("s1", (context) => {
      markStarted();
      return new Promise<void>((_resolve, reject) => {
        context.signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("cancelled"));
        });
      });
    });
    await started;

    const drained = await ops.drain(20, 1000);

    expect(drained).toBe(false);
    expect(aborted).toBe(true);
    expect(await store.get(a)).toMatchObject({ status: "queued", attempts: 1 });
    expect(settled).toEqual([]);
  });

  it("stores engine events and log lines in order", async () => {
    const { ops, submit, store } = scheduler(1);
    const id = submit("s", async (context) => {
      context.onEvent({ sequence: 1, timestamp: "t", type: "resourcePreEvent" });
      context.log("line one");
    });

    await ops.idle();

    expect((await store.entries(id)).map((entry) => entry.kind)).toEqual(["event", "log"]);
    expect(await store.entries(id, { kind: "log" })).toEqual([expect.objectContaining({ line: "line one" })]);
  });

  it("keeps at most its limit of entries per operation and says how many it dropped", async () => {
    const store = new MemoryOperationStore();
    const ops = new OperationScheduler({ store, owner: "t", maxConcurrent: 1, clock: new FakeClock(), logger: pino({ level: "silent" }), maxEntriesPerOperation: 3 });
    ops.handle("up", { run: async (context) => ["a", "b", "c", "d", "e"].forEach((line) => context.log(line)) });
    ops.start();
    store.insert({ id: "x", kind: "up", stack: "s", actor: "t", cause: "api", subject: {}, desiredKey: "k", queuedAt: new Date(), payload: null });
    ops.wake();
    await ops.idle();

    expect((await store.entries("x", { kind: "log" })).map((entry) => (entry.kind === "log" ? entry.line : ""))).toEqual([
      "a",
      "b",
      "c",
      "(2 more log lines and events were not kept)",
    ]);
  });

  it("keeps at most its limit of bytes per operation, however few the entries", async () => {
    const store = new MemoryOperationStore();
    const ops = new OperationScheduler({ store, owner: "t", maxConcurrent: 1, clock: new FakeClock(), logger: pino({ level: "silent" }), maxEntryBytesPerOperation: 1000 });
    const long = "x".repeat(400);
    ops.handle("up", { run: async (context) => [long, long, long, "short"].forEach((line) => context.log(line)) });
    ops.start();
    store.insert({ id: "y", kind: "up", stack: "s", actor: "t", cause: "api", subject: {}, desiredKey: "k", queuedAt: new Date(), payload: null });
    ops.wake();
    await ops.idle();

    const lines = (await store.entries("y", { kind: "log" })).map((entry) => (entry.kind === "log" ? entry.line : ""));
    expect(lines).toEqual([long, long, "(2 more log lines and events were not kept)"]);
  });

  it("runs an operation again, instead of failing it, when the state backend was unavailable", async () => {
    const { ops, submit, store, settled } = scheduler(1);
    let runs = 0;
    const id = submit("s1", async () => {
      runs += 1;
      if (runs === 1) throw new BackendUnavailableError("failed to ping PostgreSQL");
    });

    await ops.idle();

    expect(await store.get(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(settled.map((operation) => operation.status)).toEqual(["succeeded"]);
  });
});
