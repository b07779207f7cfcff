/**
 * Stale stack locks of the DIY backends (postgres, file, S3, ...). A Pulumi
 * CLI that dies without cleaning up (its replica was SIGKILLed mid-`up`)
 * leaves a lock behind, and every later update fails with "the stack is
 * currently locked". Rollgate runs Pulumi on a stack only while holding the
 * stack's lease, so a lock is stale when it was taken during the previous
 * tenure of that lease, from the previous holder's host, and before this
 * tenure began: its CLI belonged to a holder whose lease has since ended.
 * Locks taken by anyone else (a person's `pulumi up`, another tenure) are
 * never touched. Host names and pids alone prove nothing: replicas share
 * host names, and a rescheduled pod never sees its old pids.
 */
import type { PreviousTenure } from "../store/leases";

export interface DiyLock {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly createdAt: Date;
}

/** The tenure of the stack lease under which the current operation runs. */
export interface StackTenure {
  readonly acquiredAt: Date;
  readonly previous: PreviousTenure | null;
}

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

/** True when `lock` was left by the previous holder of the stack's lease. Pure. */
export function isStaleLock(lock: DiyLock, tenure: StackTenure): boolean {
  const previous = tenure.previous;
  if (!previous || lock.host !== previous.host) return false;
  const at = lock.createdAt.getTime();
  // Lock times have one-second resolution.
  const from = previous.acquiredAt.getTime() - 1000;
  const until = Math.min(previous.releasedAt?.getTime() ?? Infinity, tenure.acquiredAt.getTime());
  return at >= from && at < until;
}

/** True when the error is a DIY lock error and every lock it lists is stale under `tenure`. */
export function onlyStaleLocks(text: string, tenure: StackTenure): boolean {
  const locks = parseDiyLocks(text);
  return locks !== undefined && locks.length > 0 && locks.every((lock) => isStaleLock(lock, tenure));
}
