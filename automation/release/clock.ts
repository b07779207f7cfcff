/** Time, injected: the controller never reads the wall clock or sets timers itself, so tests run instantly. */
import { setTimeout as sleep } from "node:timers/promises";

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
