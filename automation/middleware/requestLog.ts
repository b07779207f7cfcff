import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "../deps";
import { setRequestId } from "./requestContext";

/**
 * Gives each request an id (echoed as `X-Request-Id`) and logs one line when
 * it finishes. Headers and bodies are never logged.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    const started = process.hrtime.bigint();
    setRequestId(req, id);
    res.setHeader("X-Request-Id", id);
    res.on("finish", () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        { requestId: id, method: req.method, path: req.path, status: res.statusCode, durationMs: Math.round(durationMs) },
        "request",
      );
    });
    next();
  };
}
