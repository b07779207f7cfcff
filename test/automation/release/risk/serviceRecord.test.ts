import { describe, expect, it } from "vitest";
import { serviceRecord } from "../../../../automation/release/risk/serviceRecord";
import { finished, NOW, successes } from "./fixtures";

describe("service record", () => {
  it("computes the change-failure rate over the last 30 days, ignoring aborts and older releases", () => {
    const history = [...successes(3), finished("rolledBack", 100), finished("aborted", 50), finished("failed", 24 * 40)];

    const record = serviceRecord(history, NOW);

    expect(record).toMatchObject({ finishedInWindow: 4, failedInWindow: 1, changeFailureRate: 0.25 });
  });

  it("has no change-failure rate when nothing finished in the window", () => {
    expect(serviceRecord([], NOW).changeFailureRate).toBeUndefined();
  });

  it("sees a rollback within the last 24 hours, and not one 25 hours ago", () => {
    expect(serviceRecord([finished("rolledBack", 23)], NOW).rollbackInLast24h).toBe(true);
    expect(serviceRecord([finished("rolledBack", 25)], NOW).rollbackInLast24h).toBe(false);
  });

  it("counts successes since the most recent failure", () => {
    const history = [finished("succeeded", 10), finished("succeeded", 20), finished("failed", 30), finished("succeeded", 40)];

    expect(serviceRecord(history, NOW).consecutiveSuccesses).toBe(2);
  });

  it("finds the last success and skips releases still running", () => {
    const running = { status: "progressing" as const, startedAt: NOW.toISOString(), finishedAt: null };

    const record = serviceRecord([running, finished("succeeded", 72), finished("succeeded", 96)], NOW);

    expect(record.lastSuccessAt).toEqual(new Date(NOW.getTime() - 72 * 3_600_000));
  });
});
