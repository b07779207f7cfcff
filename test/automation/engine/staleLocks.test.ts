import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { onlyStaleLocks, parseDiyLocks, processIsRunning, type StaleLockProbe } from "../../../automation/engine/staleLocks";

/** What the DIY backend prints (through the Automation API's CommandError) when a stack is locked. */
function lockedError(locks: readonly { host: string; pid: number }[]): string {
  const lines = locks.map(
    (lock, i) =>
      `\n  file:///state/.pulumi/locks/organization/rollgate/preview-pr-7/${i}.json: created by root@${lock.host} (pid ${lock.pid}) at 2026-01-01T00:00:00Z`,
  );
  const stderr = `error: the stack is currently locked by ${locks.length} lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.${lines.join("")}\n`;
  // CommandError's message carries stderr twice: as `stderr:` and inside `err?:`.
  return `code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi up --yes\n${stderr}\n err?: Error: Command failed with exit code 1: pulumi up --yes\n${stderr}`;
}

const probe = (running: readonly number[]): StaleLockProbe => ({ hostname: "vm", isRunning: (pid) => running.includes(pid) });

describe("parseDiyLocks", () => {
  it("reads user, host and pid of every listed lock", () => {
    expect(parseDiyLocks(lockedError([{ host: "vm", pid: 12 }, { host: "ci-runner-3", pid: 4567 }]))).toEqual([
      { user: "root", host: "vm", pid: 12 },
      { user: "root", host: "ci-runner-3", pid: 4567 },
    ]);
  });

  it("does not recognise other errors, such as the Pulumi Cloud's conflict", () => {
    expect(parseDiyLocks("[409] Conflict: Another update is currently in progress.")).toBeUndefined();
  });
});

describe("onlyStaleLocks", () => {
  it("accepts locks this host's dead processes left", () => {
    expect(onlyStaleLocks(lockedError([{ host: "vm", pid: 12 }, { host: "vm", pid: 13 }]), probe([]))).toBe(true);
  });

  it("refuses when a lock holder still runs", () => {
    expect(onlyStaleLocks(lockedError([{ host: "vm", pid: 12 }, { host: "vm", pid: 13 }]), probe([13]))).toBe(false);
  });

  it("refuses locks taken on another host, whose processes it cannot see", () => {
    expect(onlyStaleLocks(lockedError([{ host: "ci-runner-3", pid: 12 }]), probe([]))).toBe(false);
  });

  it("refuses when not every announced lock could be read", () => {
    const truncated = lockedError([{ host: "vm", pid: 12 }, { host: "vm", pid: 13 }]).replace(/\n[^\n]*pid 13[^\n]*/, "");
    expect(onlyStaleLocks(truncated, probe([]))).toBe(false);
  });
});

describe("processIsRunning", () => {
  it("is true for this process and false for one that has exited", () => {
    const exited = spawnSync(process.execPath, ["-e", ""]).pid;

    expect(processIsRunning(process.pid)).toBe(true);
    expect(processIsRunning(exited)).toBe(false);
  });
});
