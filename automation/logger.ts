/**
 * The service's structured JSON logger. Credentials are redacted at any depth,
 * even if someone logs a whole request, config or error detail.
 */
import pino, { type DestinationStream } from "pino";
import type { Logger } from "./deps";

const censor = "[redacted]";
const maxDepth = 10;
/** Keys whose values are credentials: exactly, or as a suffix (`githubToken`, `webhookSecret`, `x-hub-signature-256`). */
const credentialKey = /(authorization|token|tokens|secret|secrets|passphrase|password|cookie|signature(-256)?)$/i;

/** A copy of `value` with every credential-named property censored; errors and non-plain objects are kept as they are. */
export function redactCredentialFields(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== "object" || value === null || value instanceof Error || depth >= maxDepth) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactCredentialFields(item, depth + 1, seen));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, credentialKey.test(key) ? censor : redactCredentialFields(field, depth + 1, seen)]),
  );
}

export function createLogger(level = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "rollgate" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (object: Record<string, unknown>) => redactCredentialFields(object) as Record<string, unknown> },
  };
  return destination ? pino(options, destination) : pino(options);
}
