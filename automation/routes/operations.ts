/** HTTP shape of operations: status as JSON and engine events as server-sent events. */
import type { Response } from "express";
import { OperationNotFoundError } from "../errors";
import { authorize, requirePrincipal } from "../middleware/auth";
import { EngineEventSchema, OperationEventsHeaders, OperationParams, OperationSchema, type OperationBody } from "../schemas/operations";
import { readScopeForStack } from "../services/auth/scopes";
import type { OperationRegistry } from "../services/operations/registry";
import { isActive, type Operation, type OperationUpdate } from "../services/operations/types";
import { authProblems, problemResponse } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

export function operationBody(operation: Operation): OperationBody {
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
    log: [...operation.log],
  };
}

export interface OperationRoutesOptions {
  /** Interval of keep-alive comments on event streams. */
  readonly heartbeatMs?: number;
}

export function operationRoutes(registry: OperationRegistry, options: OperationRoutesOptions = {}): AnyRoute[] {
  const find = (id: string): Operation => {
    const operation = registry.get(id);
    if (!operation) throw new OperationNotFoundError(id);
    return operation;
  };
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
        404: problemResponse("No such operation (or it was forgotten)"),
      },
      handle({ params }, res, req) {
        const operation = find(params.id);
        authorize(requirePrincipal(req), readScopeForStack(operation.stack));
        res.json(operationBody(operation));
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
            "`event: engine` (data: an engine event, id: its sequence), `event: status` (data: the operation), and a final `event: end`",
          schema: EngineEventSchema,
          contentType: "text/event-stream",
        },
        400: problemResponse("Malformed operation id or Last-Event-ID"),
        ...authProblems,
        404: problemResponse("No such operation"),
      },
      handle({ params, headers }, res, req) {
        const operation = find(params.id);
        authorize(requirePrincipal(req), readScopeForStack(operation.stack));
        streamOperation(registry, operation, headers["last-event-id"] ?? -1, res, options.heartbeatMs ?? 15_000);
      },
    }),
  ];
}

function streamOperation(
  registry: OperationRegistry,
  operation: Operation,
  afterSequence: number,
  res: Response,
  heartbeatMs: number,
): void {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  const send = (event: string, data: unknown, id?: number): void => {
    res.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  // Replaying and subscribing happen in the same tick, so no event falls between them.
  for (const event of operation.events) if (event.sequence > afterSequence) send("engine", event, event.sequence);
  send("status", operationBody(operation));
  if (!isActive(operation)) {
    send("end", { status: operation.status });
    res.end();
    return;
  }
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
  const stop = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  const unsubscribe = registry.subscribe(operation.id, (update: OperationUpdate) => {
    if (update.type === "event") send("engine", update.event, update.event.sequence);
    if (update.type !== "status") return;
    send("status", operationBody(update.operation));
    if (!isActive(update.operation)) {
      send("end", { status: update.operation.status });
      stop();
      res.end();
    }
  });
  res.on("close", stop);
}
