import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { treeCpuSeconds } from "../../bench/lib/processTree";

describe("treeCpuSeconds", () => {
  it("counts the CPU of a child once it has exited and was waited for", () => {
    const before = treeCpuSeconds(process.pid);
    execFileSync(process.execPath, ["-e", "const end = Date.now() + 400; while (Date.now() < end);"]);
    const after = treeCpuSeconds(process.pid);

    expect(after - before).toBeGreaterThanOrEqual(0.3);
  });

  it("is 0 for a process that is gone", () => {
    expect(treeCpuSeconds(2 ** 22 + 1)).toBe(0);
  });
});
