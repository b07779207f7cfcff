/**
 * Stale stack locks of the DIY backends (postgres, file, S3, ...). A Pulumi
 * CLI that dies without cleaning up (its replica was SIGKILLed mid-`up`)
 * leaves a lock behind, and every later update fails with "the stack is
 * currently locked". Rollgate runs Pulumi on a stack only while holding the
 * stack's lease, and remembers every tenure of it; so a lock is stale when it
 * was taken during a tenure that has ended, from that tenure's host: its CLI
 * belonged to a holder whose lease has since ended, however many tenures
 * came after. Locks taken while nobody held the lease (a person's
 * `pulumi up`) or from another host are never touched. Host names and pids
 * alone prove nothing: replicas share host names, and a rescheduled pod never
 * sees its old pids.
 */
import type { Tenure } from "../store/leases";

export interface DiyLock {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly createdAt: Date;
}

/** The tenure of the stack lease under which the current operation runs, and a window onto the ones before it. */
export interface StackTenure {
  readonly acquiredAt: Date;
  /** The last few tenures before this one that began before `before`, newest first. */
  tenuresBefore(before: Date): Promise<readonly Tenure[]>;
  /** Whether someone held the stack's lease after the tenure `token` and before this one (another replica may have changed the stack). */
  heldSince(token: number): Promise<boolean>;
}

// Lock times have one-second resolution: a lock stamped T was taken in [T, T + 1 s).
const LOCK_TIME_RESOLUTION_MS = 1000;

const lockedBy = /the stack is currently locked by (\d+) lock\(s\)/;
const lockLine = /: created by (.*?)@(\S+) \(pid (\d+)\) at (\S+)/g;

/**
 * The locks a DIY backend lists in its "currently locked" error, or
 * `undefined` when the text is not that error or not every lock could be read.
 */
export function parseDiyLocks(text: string): DiyLock[] | undefined {
  const count = lockedBy.exec(text);
  if (!count) return undefined;
  // The Automation API's message repeats stderr (as `stderr:` and `err?:`): read the first listing only.
  const rest = text.slice(count.index + count[0].length);
  const next = rest.search(lockedBy);
  const listing = next < 0 ? rest : rest.slice(0, next);
  const expected = Number(count[1]);
  const locks = [...listing.matchAll(lockLine)].map((match) => ({
    user: match[1] ?? "",
    host: match[2] ?? "",
    pid: Number(match[3]),
    createdAt: new Date(match[4] ?? ""),
  }));
  return locks.length === expected && locks.every((lock) => !Number.isNaN(lock.createdAt.getTime())) ? locks : undefined;
}

/**
 * True when `lock` was taken during one of `earlier` (the tenures before the
 * current one that began before the lock's second ended, newest first) by
 * that tenure's host. Pure.
 */
export function isStaleLock(lock: DiyLock, current: { readonly acquiredAt: Date }, earlier: readonly Tenure[]): boolean {
  const at = lock.createdAt.getTime();
  let nextStart = current.acquiredAt.getTime();
  for (const tenure of earlier) {
    const end = Math.min(tenure.releasedAt?.getTime() ?? Infinity, nextStart);
    // Tenures do not overlap: once one ended before the lock, every older one did too.
    if (end <= at) return false;
    if (tenure.host === lock.host && tenure.acquiredAt.getTime() < at + LOCK_TIME_RESOLUTION_MS) return true;
    nextStart = tenure.acquiredAt.getTime();
  }
  return false;
}

/** True when the error is a DIY lock error and every lock it lists is stale under `tenure`. */
export async function onlyStaleLocks(text: string, tenure: StackTenure): Promise<boolean> {
  const locks = parseDiyLocks(text);
  if (locks === undefined || locks.length === 0) return false;
  for (const lock of locks) {
    const earlier = await tenure.tenuresBefore(new Date(lock.createdAt.getTime() + LOCK_TIME_RESOLUTION_MS));
    if (!isStaleLock(lock, tenure, earlier)) return false;
  }
  return true;
}
