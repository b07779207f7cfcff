import pino from "pino";
import { describe, expect, it } from "vitest";
import { OperationRegistry } from "../../../automation/services/operations/registry";
import { OperationScheduler, type OperationWork } from "../../../automation/services/operations/scheduler";
import { FakeClock } from "../support/harness";

interface Gate {
  readonly work: OperationWork;
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
    work: async () => {
      markStarted();
      await done;
    },
    open: () => open(),
    fail: (error) => fail(error),
    started,
  };
}

function scheduler(maxConcurrent: number) {
  const registry = new OperationRegistry();
  const ops = new OperationScheduler({ registry, maxConcurrent, clock: new FakeClock(), logger: pino({ level: "silent" }) });
  return { registry, ops };
}

const submit = (ops: OperationScheduler, stack: string, work: OperationWork) =>
  ops.submit({ kind: "up", stack, actor: "test", desiredKey: "k", work });

describe("OperationScheduler", () => {
  it("runs operations on one stack one after another, in order", async () => {
    const { ops } = scheduler(4);
    const first = gate();
    const second = gate();

    const a = submit(ops, "s1", first.work);
    const b = submit(ops, "s1", second.work);
    await first.started;

    expect(a.status).toBe("running");
    expect(b.status).toBe("queued");
    first.open();
    await second.started;
    expect(a.status).toBe("succeeded");
    expect(b.status).toBe("running");
    second.open();
    await ops.idle();
    expect(b.status).toBe("succeeded");
  });

  it("runs different stacks in parallel up to the global limit, queueing the rest", async () => {
    const { ops } = scheduler(2);
    const gates = [gate(), gate(), gate()];

    const operations = gates.map((g, index) => submit(ops, `s${index}`, g.work));
    await gates[0]?.started;
    await gates[1]?.started;

    expect(operations.map((operation) => operation.status)).toEqual(["running", "running", "queued"]);
    expect(ops.queueDepth()).toBe(1);
    expect(ops.runningCount()).toBe(2);
    gates[1]?.open();
    await gates[2]?.started;
    expect(operations[2]?.status).toBe("running");
    gates[0]?.open();
    gates[2]?.open();
    await ops.idle();
    expect(ops.queueDepth()).toBe(0);
  });

  it("lets a later stack overtake a queued operation whose stack is busy", async () => {
    const { ops } = scheduler(2);
    const busy = gate();
    const behind = gate();
    const other = gate();

    submit(ops, "s1", busy.work);
    const waiting = submit(ops, "s1", behind.work);
    const overtaking = submit(ops, "s2", other.work);
    await other.started;

    expect(waiting.status).toBe("queued");
    expect(overtaking.status).toBe("running");
    busy.open();
    behind.open();
    other.open();
    await ops.idle();
  });

  it("records a failure with its message and keeps the queue moving", async () => {
    const { ops } = scheduler(1);
    const failing = gate();

    const a = submit(ops, "s1", failing.work);
    const b = submit(ops, "s1", async () => undefined);
    failing.fail(new Error("engine exploded"));
    await ops.idle();

    expect(a).toMatchObject({ status: "failed", error: "engine exploded" });
    expect(b.status).toBe("succeeded");
    expect(a.finishedAt).toBeInstanceOf(Date);
  });

  it("on drain waits for running work, refuses new work and leaves queued work queued", async () => {
    const { ops } = scheduler(1);
    const running = gate();
    const a = submit(ops, "s1", running.work);
    const b = submit(ops, "s2", async () => undefined);
    await running.started;

    const drained = ops.drain(1000);
    running.open();

    await expect(drained).resolves.toBe(true);
    expect(a.status).toBe("succeeded");
    expect(b.status).toBe("queued");
    expect(() => submit(ops, "s3", async () => undefined)).toThrow(/shutting down/);
  });

  it("aborts running work when the drain timeout passes", async () => {
    const { ops } = scheduler(1);
    let aborted = false;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const a = submit(ops, "s1", (context) => {
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

    expect(drained).toBe(true);
    expect(aborted).toBe(true);
    expect(a).toMatchObject({ status: "failed", error: "cancelled" });
  });

  it("starts work only after the submitter's synchronous code", async () => {
    const { ops } = scheduler(1);

    const operation = submit(ops, "s1", async () => undefined);
    const statusRightAfterSubmit = operation.status;
    await ops.idle();

    expect(statusRightAfterSubmit).toBe("queued");
    expect(operation.status).toBe("succeeded");
  });

  it("keeps engine events and log lines and tells subscribers", async () => {
    const { ops, registry } = scheduler(1);
    const seen: string[] = [];
    const work: OperationWork = async (context) => {
      context.onEvent({ sequence: 1, timestamp: "t", type: "resourcePreEvent" });
      context.log("line one");
    };

    const operation = ops.submit({ kind: "destroy", stack: "s", actor: "a", desiredKey: "k", work });
    registry.subscribe(operation.id, (update) => seen.push(update.type));
    await ops.idle();

    expect(operation.events).toHaveLength(1);
    expect(operation.log).toEqual(["line one"]);
    expect(seen).toEqual(["status", "event", "log", "status"]);
  });
});

describe("OperationRegistry", () => {
  it("forgets the oldest finished operations beyond its limit", async () => {
    const registry = new OperationRegistry({ maxFinished: 2 });
    const ops = new OperationScheduler({ registry, maxConcurrent: 1, clock: new FakeClock(), logger: pino({ level: "silent" }) });

    const ids = [1, 2, 3].map((n) => submit(ops, `s${n}`, async () => undefined).id);
    await ops.idle();

    expect(registry.get(ids[0] ?? "")).toBeUndefined();
    expect(registry.get(ids[2] ?? "")?.status).toBe("succeeded");
  });
});
