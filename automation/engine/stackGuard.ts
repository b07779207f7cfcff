/**
 * The port that makes a stack's Pulumi runs exclusive across every replica:
 * the engine runs each operation inside `run`, which holds the stack's lease
 * (`coordination/stackLeases.ts`) for its duration. What the work gets back
 * proves the tenure: the lease for fenced config writes, the tenure for
 * judging stale Pulumi locks, and a signal that aborts when exclusivity is
 * lost (the CLI is then interrupted).
 */
import type { LeaseRef } from "../store/leases";
import type { StackTenure } from "./staleLocks";

export interface GuardedStack {
  readonly lease?: LeaseRef;
  readonly tenure?: StackTenure;
  /** Aborted when the stack's lease is lost. */
  readonly signal?: AbortSignal;
}

export interface StackGuard {
  run<T>(stack: string, work: (held: GuardedStack) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** No cross-process exclusion (a single process driving its own stacks, e.g. the engine's tests); stale locks are never released. */
export const processLocalGuard: StackGuard = { run: (_stack, work) => work({}) };
