/** The service's own account of where time went, from its pino log lines. */
import type { LogLine, RollgateService } from "../../test/support/rollgateService";

/** A log line's time in epoch ms (pino writes epoch ms or, with `isoTime`, an ISO string); NaN when absent. */
export function lineTime(line: LogLine): number {
  if (typeof line.time === "number") return line.time;
  if (typeof line.time === "string") return Date.parse(line.time);
  return Number.NaN;
}

/** Log lines with message `msg` (exact, or matching) logged at or after `sinceMs` (epoch ms), oldest first. */
export function logsSince(service: RollgateService, sinceMs: number, msg: string | RegExp): LogLine[] {
  return service.logs.filter((line) => {
    const time = lineTime(line);
    const message = String(line.msg ?? "");
    return time >= sinceMs && (typeof msg === "string" ? message === msg : msg.test(message));
  });
}

/** The `time` (epoch ms) of the first matching line, if any. */
export function firstTime(service: RollgateService, sinceMs: number, msg: string | RegExp): number | undefined {
  const line = logsSince(service, sinceMs, msg)[0];
  return line ? lineTime(line) : undefined;
}

/** The `ms` field of the first matching line (the controller logs each stack update's duration so). */
export function firstMs(service: RollgateService, sinceMs: number, msg: string | RegExp): number | undefined {
  const line = logsSince(service, sinceMs, msg)[0];
  return typeof line?.ms === "number" ? line.ms : undefined;
}
