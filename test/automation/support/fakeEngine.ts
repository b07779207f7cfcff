/** A StackEngine that keeps stacks in memory, records every call and can hold or fail operations. */
import { NoSuchStackError } from "../../../automation/engine/errors";
import type {
  EngineEvent,
  OperationOptions,
  PreviewResult,
  StackConfig,
  StackEngine,
  StackSummary,
  UpResult,
} from "../../../automation/engine/port";

export interface FakeStack {
  config: Record<string, string>;
  outputs: Record<string, unknown>;
  updateInProgress: boolean;
}

export interface EngineCall {
  readonly method: "up" | "preview" | "destroy" | "outputs" | "config" | "list" | "recover";
  readonly stack?: string;
  readonly config?: StackConfig;
}

interface Held {
  readonly method: "up" | "destroy";
  readonly stack: string;
  release(): void;
  fail(error: Error): void;
}

/** An error shaped like the Pulumi SDK's, recognised by name. */
export function namedError(name: string, message = `${name} from the engine`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class FakeStackEngine implements StackEngine {
  readonly calls: EngineCall[] = [];
  readonly stacks = new Map<string, FakeStack>();
  /** Operations waiting for `release` while `holding` is on. */
  readonly held: Held[] = [];
  holding = false;
  /** Highest number of up/destroy calls running at once, overall and on one stack. */
  maxRunning = 0;
  maxRunningPerStack = 0;
  /** Return an error to make the call fail. */
  failUp: (stack: string) => Error | undefined = () => undefined;
  failDestroy: (stack: string) => Error | undefined = () => undefined;
  /** Errors thrown by the read calls (outputs, list, config). */
  failReads: Error | undefined;
  /** The URL a stack's `url` output gets. */
  urlFor: (pr: number) => string = (pr) => `http://127.0.0.1:9/pr-${pr}`;
  private readonly running = new Map<string, number>();
  private sequence = 0;

  /** Calls that change stacks, e.g. `["up preview-pr-1", "destroy preview-pr-1"]`. */
  mutations(): string[] {
    return this.calls.filter((call) => call.method === "up" || call.method === "destroy").map((call) => `${call.method} ${call.stack}`);
  }

  async up(stack: string, config: StackConfig, options: OperationOptions = {}): Promise<UpResult> {
    this.calls.push({ method: "up", stack, config });
    return this.track(stack, async () => {
      this.emit(options, "preludeEvent", `updating ${stack}`);
      options.onOutput?.(`Updating (${stack})`);
      await this.maybeHold("up", stack, options.signal);
      const failure = this.failUp(stack);
      const existing = this.stacks.get(stack);
      const values = Object.fromEntries(Object.entries(config).map(([key, entry]) => [key, entry.value]));
      if (!existing) this.stacks.set(stack, { config: values, outputs: {}, updateInProgress: false });
      if (failure) throw failure;
      const outputs = this.outputsFor(values);
      this.stacks.set(stack, { config: values, outputs, updateInProgress: false });
      this.emit(options, "summaryEvent", "update complete");
      options.onOutput?.("Resources: 3 created");
      const changes: Record<string, number> =
        existing && Object.keys(existing.outputs).length > 0 ? { same: 3 } : { create: 3 };
      return { outputs, changes };
    });
  }

  async preview(stack: string, config: StackConfig): Promise<PreviewResult> {
    this.calls.push({ method: "preview", stack, config });
    return { changes: {}, steps: {} };
  }

  async destroy(stack: string, options: OperationOptions = {}): Promise<void> {
    this.calls.push({ method: "destroy", stack });
    await this.track(stack, async () => {
      this.emit(options, "preludeEvent", `destroying ${stack}`);
      await this.maybeHold("destroy", stack, options.signal);
      const failure = this.failDestroy(stack);
      if (failure) throw failure;
      this.stacks.delete(stack);
    });
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    this.calls.push({ method: "outputs", stack });
    if (this.failReads) throw this.failReads;
    const found = this.stacks.get(stack);
    if (!found) throw new NoSuchStackError(stack);
    return { ...found.outputs };
  }

  async config(stack: string): Promise<Record<string, string>> {
    this.calls.push({ method: "config", stack });
    if (this.failReads) throw this.failReads;
    const found = this.stacks.get(stack);
    if (!found) throw new NoSuchStackError(stack);
    return { ...found.config };
  }

  async list(): Promise<StackSummary[]> {
    this.calls.push({ method: "list" });
    if (this.failReads) throw this.failReads;
    return [...this.stacks.entries()].map(([name, stack]) => ({ name, updateInProgress: stack.updateInProgress }));
  }

  async recover(stack: string): Promise<void> {
    this.calls.push({ method: "recover", stack });
    const found = this.stacks.get(stack);
    if (found) found.updateInProgress = false;
  }

  /** Seeds a stack as the preview program would have left it. */
  seedPreview(pr: number, values: Partial<Record<string, string>> = {}, options: { updateInProgress?: boolean; deployed?: boolean } = {}): void {
    const config: Record<string, string> = {
      "rollgate:pr": String(pr),
      "rollgate:image": `ghcr.io/acme/app:pr-${pr}`,
      "rollgate:branch": `feature/${pr}`,
      "rollgate:commitSha": "a".repeat(40),
      "rollgate:ttlHours": "72",
      "rollgate:createdAt": "2030-01-01T00:00:00.000Z",
      "rollgate:deployedBy": "seed",
      ...Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    };
    this.stacks.set(`preview-pr-${pr}`, {
      config,
      outputs: options.deployed === false ? {} : this.outputsFor(config),
      updateInProgress: options.updateInProgress ?? false,
    });
  }

  /** Resolves once `count` operations are held. */
  async waitForHeld(count: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} held operations, have ${this.held.length}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Releases the oldest held operation (optionally the one on `stack`). */
  release(stack?: string): void {
    const index = stack === undefined ? 0 : this.held.findIndex((held) => held.stack === stack);
    const [held] = this.held.splice(index, 1);
    if (!held) throw new Error(`nothing held${stack ? ` on ${stack}` : ""}`);
    held.release();
  }

  private outputsFor(config: Record<string, string>): Record<string, unknown> {
    // What infra/program.ts exports for a preview.
    const pr = Number(config["rollgate:pr"]);
    const createdAt = config["rollgate:createdAt"] ?? "";
    const ttlHours = Number(config["rollgate:ttlHours"] ?? "72");
    return {
      environment: "preview",
      app: config["rollgate:app"] ?? "sample-app",
      pr,
      url: this.urlFor(pr),
      image: config["rollgate:image"],
      branch: config["rollgate:branch"],
      commitSha: config["rollgate:commitSha"],
      createdAt,
      expiresAt: new Date(Date.parse(createdAt) + ttlHours * 3_600_000).toISOString(),
      namespace: `pr-${pr}-ns`,
    };
  }

  private emit(options: OperationOptions, type: string, message: string): void {
    this.sequence += 1;
    const event: EngineEvent = { sequence: this.sequence, timestamp: new Date(0).toISOString(), type, message };
    options.onEvent?.(event);
  }

  /** Waits for `release` while holding; an abort (like the real engine's cancel) rejects. */
  private async maybeHold(method: "up" | "destroy", stack: string, signal: AbortSignal | undefined): Promise<void> {
    if (!this.holding) return;
    await new Promise<void>((resolve, reject) => {
      const held: Held = { method, stack, release: resolve, fail: reject };
      this.held.push(held);
      signal?.addEventListener("abort", () => {
        const index = this.held.indexOf(held);
        if (index >= 0) this.held.splice(index, 1);
        reject(signal.reason instanceof Error ? signal.reason : new Error("cancelled"));
      });
    });
  }

  private async track<T>(stack: string, work: () => Promise<T>): Promise<T> {
    const onStack = (this.running.get(stack) ?? 0) + 1;
    this.running.set(stack, onStack);
    this.maxRunningPerStack = Math.max(this.maxRunningPerStack, onStack);
    const total = [...this.running.values()].reduce((sum, count) => sum + count, 0);
    this.maxRunning = Math.max(this.maxRunning, total);
    try {
      return await work();
    } finally {
      this.running.set(stack, (this.running.get(stack) ?? 1) - 1);
    }
  }
}
