/**
 * Fakes for the release controller's ports: an instant clock, an engine that
 * records `up` calls and keeps stack config, a cluster whose router follows
 * that config, a scripted metric provider, and recording logger/notifier.
 */
import type { ChangeSummary, OperationOptions, PreviewResult, StackConfig, StackEngine, StackSummary, UpResult } from "../../../automation/engine/port";
import type { BuiltInQueries, QueryScope } from "../../../automation/release/analysis/builtInQueries";
import type { Measurement, MetricProvider } from "../../../automation/release/analysis/provider";
import type { Clock, Logger, LogLevel, LogMethod } from "../../../automation/deps";
import { ReleaseController, type ReleaseControllerDeps } from "../../../automation/release/controller";
import type { BrakeResult, ClusterProbe, Notifier, ReleaseEvent } from "../../../automation/release/ports";
import type { ReleaseStore } from "../../../automation/release/store";
import { InMemoryReleaseStore } from "../../support/inMemoryReleaseStore";

export const KEYS = {
  stableImage: "rollgate:stableImage",
  canaryImage: "rollgate:canaryImage",
  canaryWeight: "rollgate:canaryWeight",
  stableVerifiedDigest: "rollgate:stableVerifiedDigest",
  canaryVerifiedDigest: "rollgate:canaryVerifiedDigest",
} as const;

/** A clock whose sleeps return on the next macrotask, advancing time by the slept amount. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  /** Called when a sleep starts (before it resolves); may abort the signal. */
  onSleep?: (ms: number) => void;
  private time: number;

  constructor(start = Date.parse("2026-03-01T09:00:00.000Z")) {
    this.time = start;
  }

  now(): Date {
    return new Date(this.time);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearImmediate(timer);
        reject(signal?.reason);
      };
      const timer = setImmediate(() => {
        signal?.removeEventListener("abort", onAbort);
        this.time += ms;
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.onSleep?.(ms);
    });
  }
}

export interface UpCall {
  readonly stack: string;
  readonly config: Readonly<Record<string, string>>;
  readonly targets?: readonly string[];
}

/** An engine that keeps stack config in memory and records every `up`. */
export class FakeEngine implements StackEngine {
  readonly ups: UpCall[] = [];
  readonly recovered: string[] = [];
  readonly stacks = new Map<string, Record<string, string>>();
  /** Return an error to make that `up` fail (after recording it, before applying it). */
  failUp?: (call: UpCall) => Error | undefined;

  constructor(initial: Record<string, Record<string, string>> = { staging: { [KEYS.stableImage]: "registry.example/web:1.0.0" } }) {
    for (const [stack, config] of Object.entries(initial)) this.stacks.set(stack, { ...config });
  }

  configOf(stack: string): Record<string, string> {
    return this.stacks.get(stack) ?? {};
  }

  async up(stack: string, config: StackConfig, options: OperationOptions = {}): Promise<UpResult> {
    const values = Object.fromEntries(Object.entries(config).map(([key, entry]) => [key, entry.value]));
    const call: UpCall = options.targets ? { stack, config: values, targets: options.targets } : { stack, config: values };
    this.ups.push(call);
    const failure = this.failUp?.(call);
    if (failure) throw failure;
    this.stacks.set(stack, { ...this.configOf(stack), ...values });
    const changes: ChangeSummary = { update: 1 };
    return { outputs: {}, changes };
  }

  async preview(): Promise<PreviewResult> {
    return { changes: {}, steps: {} };
  }

  async destroy(stack: string): Promise<void> {
    this.stacks.delete(stack);
  }

  async outputs(): Promise<Record<string, unknown>> {
    return {};
  }

  async config(stack: string): Promise<Record<string, string>> {
    return { ...this.configOf(stack) };
  }

  async list(): Promise<StackSummary[]> {
    return [...this.stacks.keys()].map((name) => ({ name, updateInProgress: false }));
  }

  async recover(stack: string): Promise<void> {
    this.recovered.push(stack);
  }
}

/** A cluster whose router carries the stack's configured weight and whose canary is available once deployed. */
export class FakeCluster implements ClusterProbe {
  readonly replicaReads: number[] = [];
  /** Overrides: return a number to report it instead. */
  liveWeight?: (environment: string) => number;
  availableReplicas?: (environment: string) => number;

  /** The traffic brake, when a test gives the cluster one. */
  brake?: (environment: string) => Promise<BrakeResult>;

  constructor(private readonly engine: FakeEngine) {}

  async readLiveWeight(environment: string): Promise<number> {
    if (this.liveWeight) return this.liveWeight(environment);
    return Number(this.engine.configOf(environment)[KEYS.canaryWeight] ?? "0");
  }

  async canaryAvailableReplicas(environment: string): Promise<number> {
    const replicas = this.availableReplicas ? this.availableReplicas(environment) : this.engine.configOf(environment)[KEYS.canaryImage] ? 2 : 0;
    this.replicaReads.push(replicas);
    return replicas;
  }
}

export type Answer = Measurement | ((call: number) => Measurement);

/** A query language of the fake's own, so tests show the checks take their queries from the provider. */
export const fakeQueries: BuiltInQueries = {
  requestCount: (track, scope) => `requests ${track} ${describeScope(scope)}`,
  errorRatio: (track, scope) => `error-ratio ${track} ${describeScope(scope)}`,
  latencyQuantile: (track, quantile, scope) => `latency-q${quantile} ${track} ${describeScope(scope)}`,
};

function describeScope(scope: QueryScope): string {
  return `${JSON.stringify(Object.entries(scope.selector).sort())} ${scope.windowSeconds}s`;
}

/** Answers queries from a script; an unscripted query is an error measurement (as data). */
export class FakeMetrics implements MetricProvider {
  readonly kind = "fake";
  readonly builtInQueries = fakeQueries;
  readonly queries: string[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly calls = new Map<string, number>();

  set(query: string, answer: Answer): this {
    this.answers.set(query, answer);
    return this;
  }

  async measure(query: string, _windowSeconds: number, signal?: AbortSignal): Promise<Measurement> {
    this.queries.push(query);
    if (signal?.aborted) return { value: null, error: "measurement aborted" };
    const call = (this.calls.get(query) ?? 0) + 1;
    this.calls.set(query, call);
    const answer = this.answers.get(query);
    if (answer === undefined) return { value: null, error: `no scripted answer for ${query}` };
    return typeof answer === "function" ? answer(call) : answer;
  }
}

export interface TrafficNumbers {
  readonly requests?: number | null;
  readonly canaryErrors?: number | null;
  readonly stableErrors?: number | null;
  readonly canaryP99?: number | null;
  readonly stableP99?: number | null;
}

export const HEALTHY: Required<TrafficNumbers> = { requests: 1200, canaryErrors: 0.001, stableErrors: 0.001, canaryP99: 0.21, stableP99: 0.2 };

/** Scripts the built-in queries for a scope. */
export function scriptTraffic(metrics: FakeMetrics, scope: QueryScope, numbers: TrafficNumbers = {}): FakeMetrics {
  const n = { ...HEALTHY, ...numbers };
  const language = metrics.builtInQueries;
  return metrics
    .set(language.requestCount("canary", scope), { value: n.requests })
    .set(language.errorRatio("canary", scope), { value: n.canaryErrors })
    .set(language.errorRatio("stable", scope), { value: n.stableErrors })
    .set(language.latencyQuantile("canary", 0.99, scope), { value: n.canaryP99 })
    .set(language.latencyQuantile("stable", 0.99, scope), { value: n.stableP99 });
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  readonly debug = this.recorder("debug");
  readonly info = this.recorder("info");
  readonly warn = this.recorder("warn");
  readonly error = this.recorder("error");
  child(bindings: Record<string, unknown>): RecordingLogger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }
  messages(): string[] {
    return this.entries.map((entry) => entry.message);
  }
  private recorder(level: LogLevel): LogMethod {
    return (fieldsOrMessage: object | string, message?: string): void => {
      const [fields, text] = typeof fieldsOrMessage === "string" ? [{}, fieldsOrMessage] : [fieldsOrMessage, message ?? ""];
      this.entries.push({ level, fields: { ...this.bindings, ...fields }, message: text });
    };
  }
}

export class RecordingNotifier implements Notifier {
  readonly events: ReleaseEvent[] = [];
  async notify(event: ReleaseEvent): Promise<void> {
    this.events.push(JSON.parse(JSON.stringify(event)) as ReleaseEvent);
  }
  types(): string[] {
    return this.events.map((event) => event.type);
  }
}

export interface Harness {
  readonly controller: ReleaseController;
  readonly engine: FakeEngine;
  readonly cluster: FakeCluster;
  readonly metrics: FakeMetrics;
  readonly store: ReleaseStore;
  readonly clock: FakeClock;
  readonly logger: RecordingLogger;
  readonly notifier: RecordingNotifier;
}

/** A controller on fakes; `overrides` replace any dependency. */
export function harness(overrides: Partial<ReleaseControllerDeps> & { engine?: FakeEngine; store?: ReleaseStore; clock?: FakeClock } = {}): Harness {
  const engine = overrides.engine ?? new FakeEngine();
  const cluster = new FakeCluster(engine);
  const metrics = new FakeMetrics();
  const store = overrides.store ?? new InMemoryReleaseStore();
  const clock = overrides.clock ?? new FakeClock();
  const logger = new RecordingLogger();
  const notifier = new RecordingNotifier();
  let ids = 0;
  const controller = new ReleaseController({
    cluster,
    metrics,
    logger,
    notifier,
    newId: () => `rel-${++ids}`,
    ...overrides,
    engine,
    store,
    clock,
  });
  return { controller, engine, cluster, metrics, store, clock, logger, notifier };
}
