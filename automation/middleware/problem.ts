/**
 * The one place that turns errors into HTTP responses: typed service errors,
 * Pulumi SDK and release-controller errors (by name), body-parser errors and
 * anything unexpected become `application/problem+json`. Clients never see
 * stack traces.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../deps";
import { errorKindOf, fieldErrorsOf, UnprocessableError, ValidationError, type ErrorKind, type FieldError } from "../errors";
import type { ProblemBody } from "../schemas/common";
import { requestIdOf } from "./requestContext";

export const problemContentType = "application/problem+json";

const problemTypeBase = "https://rollgate.dev/problems/";

const statusByKind: Record<ErrorKind, number> = {
  "invalid-request": 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "unsupported-media-type": 415,
  "limit-reached": 429,
  unprocessable: 422,
  unavailable: 503,
};

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface ProblemResponse {
  readonly status: number;
  readonly body: ProblemBody;
  readonly headers?: Readonly<Record<string, string>>;
}

export function problem(status: number, slug: string, detail: string, errors?: readonly FieldError[]): ProblemBody {
  return {
    type: `${problemTypeBase}${slug}`,
    title: titles[status] ?? "Error",
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors: errors.map(({ path, message }) => ({ path, message })) } : {}),
  };
}

/** Body-parser failures, recognised by their `type`. */
function bodyParserProblem(err: { type: string; limit?: unknown }): ProblemResponse | undefined {
  switch (err.type) {
    case "entity.too.large":
      return {
        status: 413,
        body: problem(413, "payload-too-large", `the request body exceeds ${formatLimit(err.limit)}`),
      };
    case "entity.parse.failed":
      return { status: 400, body: problem(400, "malformed-json", "the request body is not valid JSON") };
    case "encoding.unsupported":
    case "charset.unsupported":
      return { status: 415, body: problem(415, "unsupported-encoding", "the request body's encoding or charset is not supported") };
    case "request.aborted":
    case "request.size.invalid":
      return { status: 400, body: problem(400, "incomplete-body", "the request body was incomplete") };
    default:
      return undefined;
  }
}

function formatLimit(limit: unknown): string {
  return typeof limit === "number" && limit % 1024 === 0 ? `${limit / 1024} KiB` : `${String(limit)} bytes`;
}

/** Seconds a client should wait after a 503: the error's own hint, else a short default. */
function retryAfterOf(err: unknown): number {
  const hint = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof hint === "number" && Number.isInteger(hint) && hint > 0 ? hint : 5;
}

/** Maps any thrown value to a problem response. Unknown errors become a bare 500. */
export function toProblem(err: unknown): ProblemResponse {
  if (err instanceof ValidationError) {
    return { status: 400, body: problem(400, "invalid-request", err.message, err.errors) };
  }
  if (err instanceof UnprocessableError) {
    return { status: 422, body: problem(422, "unprocessable", err.message, err.errors) };
  }
  const kind = errorKindOf(err);
  if (kind && err instanceof Error) {
    const status = statusByKind[kind];
    const detail = err.message;
    return {
      status,
      body: problem(status, kind, detail, kind === "invalid-request" ? fieldErrorsOf(err) : undefined),
      ...(kind === "unauthenticated" ? { headers: { "WWW-Authenticate": 'Bearer realm="rollgate"' } } : {}),
      ...(kind === "unavailable" || kind === "limit-reached" ? { headers: { "Retry-After": String(retryAfterOf(err)) } } : {}),
    };
  }
  if (typeof err === "object" && err !== null && typeof (err as { type?: unknown }).type === "string") {
    const parsed = bodyParserProblem(err as { type: string; limit?: unknown });
    if (parsed) return parsed;
  }
  return { status: 500, body: problem(500, "internal", "an unexpected error occurred; the service log has details") };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const response = toProblem(err);
    const requestId = requestIdOf(req);
    if (response.status >= 500) logger.error({ err, requestId }, "request failed");
    else logger.debug({ requestId, status: response.status, detail: response.body.detail }, "request rejected");
    const detail = response.status >= 500 && requestId ? `${response.body.detail} (request ${requestId})` : response.body.detail;
    res
      .status(response.status)
      .set(response.headers ?? {})
      .type(problemContentType)
      .send(JSON.stringify({ ...response.body, detail }));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type(problemContentType)
    .send(JSON.stringify(problem(404, "no-such-route", `no route for ${req.method} ${req.path}`)));
};

const methodNotAllowedHandlers = new WeakSet<object>();

/** True for the 405 fallbacks `mountRoutes` registers (to tell them from routes when inspecting the router). */
export function isMethodNotAllowedHandler(handler: unknown): boolean {
  return typeof handler === "function" && methodNotAllowedHandlers.has(handler);
}

export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = allowed.map((method) => method.toUpperCase()).join(", ");
  const handler: RequestHandler = (req, res) => {
    res
      .status(405)
      .set("Allow", allow)
      .type(problemContentType)
      .send(JSON.stringify(problem(405, "method-not-allowed", `${req.method} is not allowed here; use ${allow}`)));
  };
  methodNotAllowedHandlers.add(handler);
  return handler;
}
