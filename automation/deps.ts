/**
 * What the service needs from the outside world. `compose.ts` builds these for
 * production; tests pass fakes. Nothing here imports express or Pulumi.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Time, injected: the service and the release controller never read the wall clock or set timers themselves, so tests control both. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`; rejects (with the signal's reason) as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, { signal });
  },
};

/**
 * Waits until a Kubernetes Deployment has rolled out (all replicas updated and
 * available). Rejects with a message saying why it did not.
 */
export type DeploymentWaiter = (namespace: string, name: string, options?: { signal?: AbortSignal }) => Promise<void>;

export interface SmokeCheck {
  /** Path appended to the preview URL, e.g. `/healthz`. */
  readonly path: string;
  readonly expectStatus: number;
  /** How long the check may keep retrying before it fails. */
  readonly timeoutMs: number;
}

/** A failed check is data, not an exception. */
export type SmokeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface SmokeChecker {
  check(baseUrl: string, checks: readonly SmokeCheck[], options?: { signal?: AbortSignal }): Promise<SmokeResult>;
}

/** A dependency the service needs to serve traffic (state backend, cluster). Rejects when unreachable. */
export interface ReadinessCheck {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

/** A structured log call: fields and a message, or a message alone. */
export interface LogMethod {
  (fields: object, message: string): void;
  (message: string): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The service's one logger port. The pino logger from `logger.ts` (with
 * credential redaction) implements it; tests pass recorders or `silentLogger`.
 */
export interface Logger extends Readonly<Record<LogLevel, LogMethod>> {
  /** A logger that adds `bindings` to every entry. */
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
