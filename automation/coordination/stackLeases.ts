/** `StackGuard` over leases: a Pulumi run on a stack holds the lease `stack:<name>`. */
import type { GuardedStack, StackGuard } from "../engine/stackGuard";
import type { HeldLease, LeaseKeeper } from "./leaseKeeper";

export function stackLeaseName(stack: string): string {
  return `stack:${stack}`;
}

export class LeasedStackGuard implements StackGuard {
  constructor(
    private readonly keeper: LeaseKeeper,
    /** How long an operation waits for a stack another replica is working on. */
    private readonly waitMs = 10 * 60_000,
  ) {}

  async run<T>(stack: string, work: (held: GuardedStack) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // An operation claimed with its stack's lease runs its Pulumi work under that lease.
    const claimed = this.keeper.get(stackLeaseName(stack));
    if (claimed) return work(this.guarded(claimed));
    const lease = await this.keeper.hold(stackLeaseName(stack), { waitMs: this.waitMs, ...(signal ? { signal } : {}) });
    try {
      return await work(this.guarded(lease));
    } finally {
      await lease.release();
    }
  }

  private guarded(lease: HeldLease): GuardedStack {
    const store = this.keeper.store;
    return {
      lease: { name: lease.name, token: lease.token },
      tenure: {
        acquiredAt: lease.acquiredAt,
        tenuresBefore: (before) => store.tenuresBefore(lease.name, lease.token, before),
        heldSince: (token) => store.heldBetween(lease.name, token, lease.token),
      },
      signal: lease.signal,
    };
  }
}
