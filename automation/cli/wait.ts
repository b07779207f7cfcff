/** `--wait` and `--watch`: poll an operation or a release until it finishes, printing progress lines. */
import { setTimeout as sleep } from "node:timers/promises";
import { isTerminal } from "../release/stateMachine";
import type { Operation, Release, RollgateClient } from "./client";
import { ReleaseProgress } from "./releaseProgress";

export interface WaitOptions {
  readonly intervalMs: number;
  readonly progress: (line: string) => void;
}

export async function waitForOperation(client: RollgateClient, id: string, options: WaitOptions): Promise<Operation> {
  let lastStatus: string | undefined;
  let printedLines = 0;
  for (;;) {
    const operation = await client.getOperation(id);
    const finished = operation.status === "succeeded" || operation.status === "failed";
    const statusLine =
      operation.status === lastStatus ? undefined : `operation ${operation.id} (${operation.kind} ${operation.stack}): ${operation.status}`;
    lastStatus = operation.status;
    // A new state comes before the lines logged in it; the final one after them.
    if (statusLine && !finished) options.progress(statusLine);
    for (const line of operation.log.slice(printedLines)) options.progress(`  ${line}`);
    printedLines = Math.max(printedLines, operation.log.length);
    if (statusLine && finished) options.progress(statusLine);
    if (finished) return operation;
    await sleep(options.intervalMs);
  }
}

export interface FollowOptions extends WaitOptions {
  /** Stop following after this long; the release is then returned still running. */
  readonly timeoutSeconds?: number;
}

/**
 * Polls a release until it ends (or `timeoutSeconds` pass), printing each
 * status, step, weight and measurement change as one line. The API has no
 * release event stream, so this polls `GET /api/v1/releases/:id`.
 */
export async function followRelease(client: RollgateClient, id: string, options: FollowOptions): Promise<Release> {
  const deadline = options.timeoutSeconds === undefined ? undefined : Date.now() + options.timeoutSeconds * 1000;
  const progress = new ReleaseProgress();
  for (;;) {
    const release = await client.getRelease(id);
    for (const line of progress.update(release)) options.progress(line);
    if (isTerminal(release.status)) return release;
    if (deadline !== undefined && Date.now() >= deadline) return release;
    await sleep(options.intervalMs);
  }
}
