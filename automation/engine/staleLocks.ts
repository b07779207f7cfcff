/**
 * Stale stack locks of the DIY (file, S3, ...) backends. A Pulumi CLI that dies
 * without cleaning up (the service was SIGKILLed mid-`up`, the CLI then died on
 * its broken pipe) leaves `.pulumi/locks/.../<stack>/<id>.json` behind, and
 * every later update fails with "the stack is currently locked". A lock is
 * stale when it was taken on this host by a process that no longer runs; only
 * then may the service remove it (`pulumi cancel`). Locks from other hosts or
 * from live processes are never touched.
 */
import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";

export interface DiyLock {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
}

const lockedBy = /the stack is currently locked by (\d+) lock\(s\)/;
const lockLine = /: created by (.*?)@(\S+) \(pid (\d+)\) at /g;

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
  }));
  return locks.length === expected ? locks : undefined;
}

export interface StaleLockProbe {
  readonly hostname: string;
  /** Whether a process with this id runs on this host (zombies do not). */
  isRunning(pid: number): boolean;
}

/** True when the error is a DIY lock error and every lock it lists is stale. Pure given the probe. */
export function onlyStaleLocks(text: string, probe: StaleLockProbe = localProbe()): boolean {
  const locks = parseDiyLocks(text);
  return (
    locks !== undefined &&
    locks.length > 0 &&
    locks.every((lock) => lock.host === probe.hostname && Number.isInteger(lock.pid) && lock.pid > 0 && !probe.isRunning(lock.pid))
  );
}

export function localProbe(): StaleLockProbe {
  return { hostname: osHostname(), isRunning: processIsRunning };
}

/** Signal 0 says whether the pid exists; a zombie (exited, not yet reaped) counts as gone. */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs: trust the signal
  }
}
