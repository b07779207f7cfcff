import { describe, expect, it } from "vitest";
import { isStaleLock, onlyStaleLocks, parseDiyLocks, type StackTenure } from "../../../automation/engine/staleLocks";
import type { Tenure } from "../../../automation/store/leases";

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

const at = (time: string) => new Date(`2030-01-01T${time}Z`);
const tenure = (token: number, host: string, acquired: string, released?: string): Tenure => ({
  token,
  host,
  acquiredAt: at(acquired),
  releasedAt: released ? at(released) : null,
});

/** This tenure began at 10:05; the one before, on host `pod-a`, from 10:00 until it expired. */
const current = { acquiredAt: at("10:05:00") };
const crashed = [tenure(7, "pod-a", "10:00:00")];

/** A StackTenure over a fixed history (newest first), filtered as the store does. */
function history(earlier: readonly Tenure[]): StackTenure {
  return { ...current, tenuresBefore: async (before) => earlier.filter((entry) => entry.acquiredAt < before).slice(0, 3), heldSince: async () => false };
}

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
  const lock = (host: string, time: string) => ({ user: "root", host, pid: 1, createdAt: at(time) });

  it("is true for a lock the previous holder's host took during its tenure, whatever its pid", () => {
    expect(isStaleLock(lock("pod-a", "10:00:30"), current, crashed)).toBe(true);
  });

  it("is false for a lock from another host than the holder's at the time (a person's CLI)", () => {
    expect(isStaleLock(lock("laptop", "10:00:30"), current, crashed)).toBe(false);
  });

  it("is false for a lock taken before any tenure or after this one began", () => {
    expect(isStaleLock(lock("pod-a", "09:59:00"), current, [])).toBe(false);
    expect(isStaleLock(lock("pod-a", "10:05:01"), current, crashed)).toBe(false);
  });

  it("is false for a lock taken after the holder released the lease (nobody held it)", () => {
    const released = [tenure(7, "pod-a", "10:00:00", "10:01:00")];

    expect(isStaleLock(lock("pod-a", "10:00:30"), current, released)).toBe(true);
    expect(isStaleLock(lock("pod-a", "10:02:00"), current, released)).toBe(false);
  });

  it("is true for a lock a crashed holder left several tenures ago (the successor's own short tenures came between)", () => {
    const chain = [tenure(9, "pod-b", "10:04:00", "10:04:02"), tenure(8, "pod-b", "10:03:00", "10:03:01"), tenure(7, "pod-a", "10:00:00")];

    expect(isStaleLock(lock("pod-a", "10:00:30"), current, [...chain].slice(2))).toBe(true);
    expect(isStaleLock(lock("pod-a", "10:03:30"), current, chain.slice(1))).toBe(false);
  });

  it("allows for the lock time's one-second resolution at a handover within the same second", () => {
    const handover = [tenure(8, "pod-b", "10:00:10.600"), tenure(7, "pod-a", "10:00:00")];

    expect(isStaleLock(lock("pod-a", "10:00:10"), current, handover)).toBe(true);
    expect(isStaleLock(lock("pod-b", "10:00:10"), current, handover)).toBe(true);
    expect(isStaleLock(lock("pod-c", "10:00:10"), current, handover)).toBe(false);
  });
});

describe("onlyStaleLocks", () => {
  it("accepts an error listing only locks an earlier holder left", async () => {
    expect(await onlyStaleLocks(lockedError([{ host: "pod-a", pid: 12 }, { host: "pod-a", pid: 13 }]), history(crashed))).toBe(true);
  });

  it("reaches past the successor's own ended tenures to the one the lock was taken in", async () => {
    const chain = [tenure(9, "pod-b", "10:04:00", "10:04:02"), tenure(8, "pod-b", "10:03:00", "10:03:01"), tenure(7, "pod-a", "10:00:00")];

    expect(await onlyStaleLocks(lockedError([{ host: "pod-a", pid: 12 }]), history(chain))).toBe(true);
  });

  it("refuses when any listed lock is someone else's", async () => {
    expect(await onlyStaleLocks(lockedError([{ host: "pod-a", pid: 12 }, { host: "laptop", pid: 13 }]), history(crashed))).toBe(false);
  });

  it("refuses when not every announced lock could be read", async () => {
    const truncated = lockedError([{ host: "pod-a", pid: 12 }, { host: "pod-a", pid: 13 }]).replace(/\n[^\n]*pid 13[^\n]*/, "");
    expect(await onlyStaleLocks(truncated, history(crashed))).toBe(false);
  });
});
