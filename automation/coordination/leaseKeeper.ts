/**
 * Holds leases for this replica: takes them (waiting where asked), renews
 * each every third of its TTL, and gives up — aborting the lease's signal —
 * as soon as it cannot be sure it still holds one: a renewal refused because
 * a newer holder exists, or no successful renewal before the lease would
 * expire (the database is unreachable). Work done under a lease watches that
 * signal and stops: a Pulumi CLI is interrupted, a release loop stops
 * without writing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../deps";
import { ConflictError } from "../errors";
import type { Lease, LeaseRef, LeaseStore } from "../store/leases";

export interface HeldLease extends Lease {
  /** Aborted when the lease is lost or released. */
  readonly signal: AbortSignal;
  /** The lease as last renewed. */
  current(): Lease;
  /** Gives the lease up; its signal aborts. */
  release(): Promise<void>;
}

/** Waiting for a lease that someone else kept holding. */
export class LeaseBusyError extends ConflictError {
  constructor(
    readonly lease: string,
    waitedMs: number,
  ) {
    super(`${lease} is held by another replica (waited ${Math.round(waitedMs / 1000)} s); retry later`);
  }
}

export interface LeaseKeeperOptions {
  readonly logger: Logger;
  /** Renewal period; a third of the TTL by default. */
  readonly renewEveryMs?: number;
  /** How much earlier than the TTL this replica stops trusting an unrenewed lease (clock and network slack). */
  readonly safetyMarginMs?: number;
}

interface Entry {
  lease: Lease;
  held?: HeldLease;
  readonly controller: AbortController;
  /** Local time until which the lease is certainly ours without another renewal. */
  validUntil: number;
  timer?: NodeJS.Timeout;
  /** Fires at `validUntil` unless a renewal moved it: the lease is then given up. */
  watchdog?: NodeJS.Timeout;
}

export class LeaseKeeper {
  private readonly held = new Map<string, Entry>();
  private readonly renewEveryMs: number;
  private readonly safetyMarginMs: number;

  constructor(
    readonly store: LeaseStore,
    private readonly options: LeaseKeeperOptions,
  ) {
    const ttl = store.options.ttlMs;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(100, Math.floor(ttl / 3));
    this.safetyMarginMs = options.safetyMarginMs ?? Math.min(2000, Math.floor(ttl / 5));
  }

  get ttlMs(): number {
    return this.store.options.ttlMs;
  }

  /** Takes the lease if nobody holds it; undefined otherwise. */
  async tryHold(name: string): Promise<HeldLease | undefined> {
    if (this.held.has(name)) return undefined;
    const requested = Date.now();
    const lease = await this.store.tryAcquire(name);
    return lease && this.keep(lease, requested);
  }

  /**
   * Takes the lease, waiting while another replica holds it: up to `waitMs`
   * (then `LeaseBusyError`), or until `signal` aborts.
   */
  async hold(name: string, options: { readonly waitMs?: number; readonly pollMs?: number; readonly signal?: AbortSignal } = {}): Promise<HeldLease> {
    const started = Date.now();
    const waitMs = options.waitMs ?? 10 * 60_000;
    for (let attempt = 0; ; attempt += 1) {
      options.signal?.throwIfAborted();
      // Another holder in this process finishes first (the engine also serializes per stack).
      if (!this.held.has(name)) {
        const lease = await this.tryHold(name);
        if (lease) return lease;
      }
      if (Date.now() - started >= waitMs) throw new LeaseBusyError(name, Date.now() - started);
      const pause = Math.min(options.pollMs ?? 500, 100 * 2 ** attempt);
      await sleep(pause, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }

  /** Keeps a lease acquired elsewhere (with an operation's claim, in its transaction). */
  adopt(lease: Lease): HeldLease {
    const existing = this.held.get(lease.name);
    if (existing) void this.drop(existing, false);
    return this.keep(lease, Date.now());
  }

  /** The lease this replica holds under `name`, if any. */
  get(name: string): HeldLease | undefined {
    return this.held.get(name)?.held;
  }

  /** Releases every lease (shutdown). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.values()].map((entry) => this.drop(entry, true)));
  }

  private keep(lease: Lease, requestedAt: number): HeldLease {
    const entry: Entry = { lease, controller: new AbortController(), validUntil: requestedAt + this.ttlMs - this.safetyMarginMs };
    this.held.set(lease.name, entry);
    this.arm(entry);
    this.schedule(entry);
    entry.held = {
      ...lease,
      signal: entry.controller.signal,
      current: () => entry.lease,
      release: () => this.drop(entry, true),
    };
    return entry.held;
  }

  /** A renewal stuck on an unreachable database must not outlive the lease. */
  private arm(entry: Entry): void {
    clearTimeout(entry.watchdog);
    entry.watchdog = setTimeout(() => this.lose(entry, "it was not renewed in time (the database did not answer)"), Math.max(0, entry.validUntil - Date.now()));
    entry.watchdog.unref();
  }

  private schedule(entry: Entry): void {
    entry.timer = setTimeout(() => void this.renew(entry), this.renewEveryMs);
    entry.timer.unref();
  }

  private async renew(entry: Entry): Promise<void> {
    if (entry.controller.signal.aborted) return;
    const requested = Date.now();
    try {
      const renewed = await this.store.renew(entry.lease);
      if (!renewed) {
        this.lose(entry, "a newer holder took it");
        return;
      }
      if (entry.controller.signal.aborted) return;
      entry.lease = renewed;
      entry.validUntil = requested + this.ttlMs - this.safetyMarginMs;
      this.arm(entry);
    } catch (error) {
      this.options.logger.warn({ err: error, lease: entry.lease.name }, "renewing a lease failed; retrying");
    }
    if (!entry.controller.signal.aborted) this.schedule(entry);
  }

  private lose(entry: Entry, why: string): void {
    if (entry.controller.signal.aborted) return;
    this.options.logger.warn({ lease: entry.lease.name, token: entry.lease.token }, `lease lost: ${why}`);
    void this.drop(entry, false);
  }

  private async drop(entry: Entry, release: boolean): Promise<void> {
    if (this.held.get(entry.lease.name) === entry) this.held.delete(entry.lease.name);
    clearTimeout(entry.timer);
    clearTimeout(entry.watchdog);
    if (!entry.controller.signal.aborted) entry.controller.abort(new Error(`lease ${entry.lease.name} is no longer held`));
    if (release) {
      await this.store.release(entry.lease as LeaseRef).catch((err: unknown) => {
        // It expires on its own after the TTL.
        this.options.logger.warn({ err, lease: entry.lease.name }, "releasing a lease failed");
      });
    }
  }
}
