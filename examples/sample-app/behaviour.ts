/**
 * How the sample app behaves, read from its image tag so a user can release a
 * bad version on purpose:
 *
 * - `…:1.1.0`          healthy: a few milliseconds per request, no errors
 * - `…:1.1.0-errors`   20 % of requests answer 500
 * - `…:1.1.0-slow`     every request takes ten times as long (p99 × 10)
 *
 * Suffixes combine (`1.1.0-slow-errors`).
 */
export interface Behaviour {
  /** Share of requests (0..1) answered with 500. */
  readonly errorRate: number;
  /** Multiplies the base latency of every request. */
  readonly latencyFactor: number;
}

export const HEALTHY: Behaviour = { errorRate: 0, latencyFactor: 1 };

export function behaviourOf(image: string): Behaviour {
  const name = (image.split("@")[0] ?? "").split("/").at(-1) ?? "";
  const tag = name.includes(":") ? name.slice(name.indexOf(":") + 1) : "";
  const flags = new Set(tag.split("-").slice(1));
  return {
    errorRate: flags.has("errors") ? 0.2 : 0,
    latencyFactor: flags.has("slow") ? 10 : 1,
  };
}

/** Whether request number `n` (from 1) fails at `errorRate`: failures spread evenly, so any short window shows the rate. */
export function fails(n: number, errorRate: number): boolean {
  const perMille = Math.round(errorRate * 1000);
  return Math.floor((n * perMille) / 1000) > Math.floor(((n - 1) * perMille) / 1000);
}

/** Base latency in milliseconds of request number `n`: 2–6 ms, so p99 is about 6 ms when healthy. */
export function baseLatencyMs(n: number): number {
  return 2 + (n % 5);
}
