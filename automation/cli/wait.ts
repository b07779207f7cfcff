/** `--wait`: poll an operation until it finishes, printing progress lines. */
import type { Operation, RollgateClient } from "./client";

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
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
