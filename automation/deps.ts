/**
 * What the service needs from the outside world. `index.ts` builds these for
 * production; tests pass fakes. Nothing here imports express or Pulumi.
 */
import type { Logger } from "pino";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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

export type { Logger };
