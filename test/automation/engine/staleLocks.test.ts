import { describe, expect, it } from "vitest";
import { isStaleLock, onlyStaleLocks, parseDiyLocks, type StackTenure } from "../../../automation/engine/staleLocks";

/** What the DIY backend prints (through the Automation API's CommandError) when a stack is locked. */
function lockedError(locks: readonly { host: string; pid: number; at?: string }[]): string {
  const lines = locks.map(
    (lock, i) =>
      `\n  postgres://****:****@127.0.0.1:15432/rollgate/.pulumi/locks/organization/rollgate/preview-pr-7/${i}.json: created by root@${lock.host} (pid ${lock.pid}) at ${lock.at ?? "2030-01-01T10:00:30Z"}`,
  );
  const stderr = `error: the stack is currently locked by ${locks.length} lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.${lines.join("")}\n`;
  // CommandError's message carries stderr twice: as `stderr:` and inside `err?:`.
  return `code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi up --yes\n${stderr}\n err?: Error: Command failed with exit code 1: pulumi up --yes\n${stderr}`;
}

/** This tenure began at 10:05; the previous one, on host `pod-a`, from 10:00 until it expired. */
const afterCrash: StackTenure = {
  acquiredAt: new Date("2030-01-01T10:05:00Z"),
  previous: { host: "pod-a", acquiredAt: new Date("2030-01-01T10:00:00Z"), releasedAt: null },
};

describe("parseDiyLocks", () => {
  it("reads user, host, pid and time of every listed lock", () => {
    expect(parseDiyLocks(lockedError([{ host: "vm", pid: 12 }, { host: "ci-runner-3", pid: 4567, at: "2030-01-01T09:00:00Z" }]))).toEqual([
      { user: "root", host: "vm", pid: 12, createdAt: new Date("2030-01-01T10:00:30Z") },
      { user: "root", host: "ci-runner-3", pid: 4567, createdAt: new Date("2030-01-01T09:00:00Z") },
    ]);
  });

  it("does not recognise other errors, such as the Pulumi Cloud's conflict", () => {
    expect(parseDiyLocks("[409] Conflict: Another update is currently in progress.")).toBeUndefined();
  });
});

describe("isStaleLock", () => {
  const lock = (host: string, at: string) => ({ user: "root", host, pid: 1, createdAt: new Date(at) });

  it("is true for a lock the previous holder's host took during its tenure, whatever its pid", () => {
    expect(isStaleLock(lock("pod-a", "2030-01-01T10:00:30Z"), afterCrash)).toBe(true);
  });

  it("is false for a lock from another host than the previous holder's (a person's CLI)", () => {
    expect(isStaleLock(lock("laptop", "2030-01-01T10:00:30Z"), afterCrash)).toBe(false);
  });

  it("is false for a lock taken before the previous tenure or after this one began", () => {
    expect(isStaleLock(lock("pod-a", "2030-01-01T09:59:00Z"), afterCrash)).toBe(false);
    expect(isStaleLock(lock("pod-a", "2030-01-01T10:05:01Z"), afterCrash)).toBe(false);
  });

  it("is false for a lock taken after the previous holder released the lease", () => {
    const released: StackTenure = { ...afterCrash, previous: { ...afterCrash.previous!, releasedAt: new Date("2030-01-01T10:01:00Z") } };

    expect(isStaleLock(lock("pod-a", "2030-01-01T10:00:30Z"), released)).toBe(true);
    expect(isStaleLock(lock("pod-a", "2030-01-01T10:02:00Z"), released)).toBe(false);
  });

  it("is false when the lease had no earlier tenure", () => {
    expect(isStaleLock(lock("pod-a", "2030-01-01T10:00:30Z"), { acquiredAt: afterCrash.acquiredAt, previous: null })).toBe(false);
  });
});

describe("onlyStaleLocks", () => {
  it("accepts an error listing only locks the previous holder left", () => {
    expect(onlyStaleLocks(lockedError([{ host: "pod-a", pid: 12 }, { host: "pod-a", pid: 13 }]), afterCrash)).toBe(true);
  });

  it("refuses when any listed lock is someone else's", () => {
    expect(onlyStaleLocks(lockedError([{ host: "pod-a", pid: 12 }, { host: "laptop", pid: 13 }]), afterCrash)).toBe(false);
  });

  it("refuses when not every announced lock could be read", () => {
    const truncated = lockedError([{ host: "pod-a", pid: 12 }, { host: "pod-a", pid: 13 }]).replace(/\n[^\n]*pid 13[^\n]*/, "");
    expect(onlyStaleLocks(truncated, afterCrash)).toBe(false);
  });
});
