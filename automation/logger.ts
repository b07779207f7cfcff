/** The service's structured JSON logger. Credentials are redacted even if someone logs a request. */
import pino, { type DestinationStream, type Logger } from "pino";

export const redactPaths = [
  "authorization",
  "token",
  "secret",
  "*.authorization",
  "*.token",
  "*.secret",
  "headers.authorization",
  'headers["x-hub-signature-256"]',
  "req.headers.authorization",
  'req.headers["x-hub-signature-256"]',
  "*.headers.authorization",
];

export function createLogger(level = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "rollgate" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
