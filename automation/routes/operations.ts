/**
 * HTTP shape of operations: status as JSON and engine events as server-sent
 * events. Any replica answers for any operation: both read the shared
 * operation store; a stream polls it for new events until the operation ends.
 */
import type { Response } from "express";
import { OperationNotFoundError } from "../errors";
import { authorize, requirePrincipal } from "../middleware/auth";
import { EngineEventSchema, OperationEventsHeaders, OperationParams, OperationSchema, type OperationBody } from "../schemas/operations";
import { readScopeForStack } from "../services/auth/scopes";
import type { OperationStore } from "../services/operations/store";
import { isActive, type Operation } from "../services/operations/types";
import { authProblems, problemResponse } from "./problems";
import { defineRoute, type AnyRoute } from "./route";
import { openEventStream, type SseSenderOptions } from "./sseSender";
import { StreamSlots, type StreamLimits } from "./streamSlots";

export function operationBody(operation: Operation, log: readonly string[]): OperationBody {
  return {
    id: operation.id,
    kind: operation.kind,
    stack: operation.stack,
    status: operation.status,
    actor: operation.actor,
    queuedAt: operation.queuedAt.toISOString(),
    startedAt: operation.startedAt?.toISOString() ?? null,
    finishedAt: operation.finishedAt?.toISOString() ?? null,
    changes: operation.changes ?? null,
    error: operation.error ?? null,
    attempts: operation.attempts,
    log: [...log],
  };
}

export interface OperationRoutesOptions {
  /** Interval of keep-alive comments on event streams. */
  readonly heartbeatMs?: number;
  /** How often a stream looks for new events. */
  readonly pollMs?: number;
  /** Open streams per token and in all. */
  readonly streams?: StreamLimits;
  /** A client that reads nothing for this long while its buffer is full is disconnected; default 30 s. */
  readonly slowClientMs?: number;
}

export function operationRoutes(operations: OperationStore, options: OperationRoutesOptions = {}): AnyRoute[] {
  const slots = new StreamSlots(options.streams);
  const find = async (id: string): Promise<Operation> => {
    const operation = await operations.get(id);
    if (!operation) throw new OperationNotFoundError(id);
    return operation;
  };
  const logOf = async (id: string): Promise<string[]> =>
    (await operations.entries(id, { kind: "log" })).flatMap((entry) => (entry.kind === "log" ? [entry.line] : []));
  const scopeNote = "`previews:read` for preview stacks, `releases:<env>` for environment stacks";
  return [
    defineRoute({
      method: "get",
      path: "/api/v1/operations/:id",
      operationId: "getOperation",
      summary: "Get an operation: status, times, changes, error and log",
      tags: ["operations"],
      access: { kind: "token", scopeNote },
      request: { params: OperationParams },
      responses: {
        200: { description: "The operation", schema: OperationSchema },
        400: problemResponse("Malformed operation id"),
        ...authProblems,
        404: problemResponse("No such operation"),
      },
      async handle({ params }, res, req) {
        const operation = await find(params.id);
        authorize(requirePrincipal(req), readScopeForStack(operation.stack));
        res.json(operationBody(operation, await logOf(operation.id)));
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/operations/:id/events",
      operationId: "streamOperationEvents",
      summary: "Stream an operation's engine events (server-sent events): past events first, then live, until it finishes",
      tags: ["operations"],
      access: { kind: "token", scopeNote },
      request: { params: OperationParams, headers: OperationEventsHeaders },
      responses: {
        200: {
          description:
            "`event: engine` (data: an engine event, id: its position in the stream), `event: status` (data: the operation), and a final `event: end`",
          schema: EngineEventSchema,
          contentType: "text/event-stream",
        },
        400: problemResponse("Malformed operation id or Last-Event-ID"),
        ...authProblems,
        404: problemResponse("No such operation"),
        429: problemResponse("Too many event streams open for this token or on this replica"),
      },
      async handle({ params, headers }, res, req) {
        const principal = requirePrincipal(req);
        const operation = await find(params.id);
        authorize(principal, readScopeForStack(operation.stack));
        const release = slots.take(principal.name);
        // Freed as soon as the client goes, not at the stream's next poll.
        res.once("close", release);
        try {
          await streamOperation(operations, operation, headers["last-event-id"] ?? 0, res, {
            heartbeatMs: options.heartbeatMs ?? 15_000,
            pollMs: options.pollMs ?? 250,
            slowClientMs: options.slowClientMs ?? 30_000,
            log: logOf,
          });
        } finally {
          release();
        }
      },
    }),
  ];
}

async function streamOperation(
  operations: OperationStore,
  first: Operation,
  after: number,
  res: Response,
  options: SseSenderOptions & { readonly pollMs: number; readonly log: (id: string) => Promise<string[]> },
): Promise<void> {
  const stream = openEventStream(res, options);
  try {
    let last = after;
    let operation = first;
    let reported: string | undefined;
    for (;;) {
      // The status is read before the events: after a final status, every event is already stored.
      const status = await operations.get(operation.id);
      if (status) operation = status;
      for (const entry of await operations.entries(operation.id, { after: last, kind: "event" })) {
        last = entry.id;
        if (entry.kind === "event") await stream.send("engine", entry.event, entry.id);
      }
      const fingerprint = `${operation.status}:${operation.attempts}`;
      if (fingerprint !== reported) {
        reported = fingerprint;
        await stream.send("status", operationBody(operation, await options.log(operation.id)));
      }
      if (!isActive(operation) || stream.closed) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    if (!isActive(operation)) await stream.send("end", { status: operation.status });
  } finally {
    stream.end();
  }
}
