/**
 * Routes are data: method, path, access, zod schemas for each part of the
 * request and the documented responses, plus a handler that receives the
 * parsed values. `mountRoutes` wires them into express and
 * `openapi/document.ts` documents the same list, so the two cannot drift.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { UnsupportedMediaTypeError, ValidationError, type FieldError } from "../errors";
import { authenticate, authorize, requirePrincipal } from "../middleware/auth";
import { methodNotAllowed } from "../middleware/problem";
import { verifyWebhookSignature } from "../middleware/webhookSignature";
import { NoQuery } from "../schemas/common";
import type { Principal, TokenStore } from "../services/auth/tokens";

export type HttpMethod = "get" | "post" | "delete";

export type Access =
  /** No credentials (health, metrics, the OpenAPI document). */
  | { readonly kind: "public" }
  /** A GitHub webhook signature instead of a token. */
  | { readonly kind: "webhook" }
  /**
   * A bearer token; with `scope`, the token must grant it before the handler
   * runs. Without, the handler checks a scope that depends on the resource.
   */
  | { readonly kind: "token"; readonly scope?: string; readonly scopeNote?: string };

export interface RequestSchemas {
  readonly params?: z.ZodTypeAny;
  readonly query?: z.ZodTypeAny;
  readonly body?: z.ZodTypeAny;
  readonly headers?: z.ZodTypeAny;
}

type Parsed<T> = T extends z.ZodTypeAny ? z.output<T> : undefined;

export interface RouteInput<S extends RequestSchemas> {
  readonly params: Parsed<S["params"]>;
  readonly query: Parsed<S["query"]>;
  readonly body: Parsed<S["body"]>;
  readonly headers: Parsed<S["headers"]>;
  /** Set on `token` routes. */
  readonly principal: Principal | undefined;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodTypeAny;
  /** Defaults to `application/json`. */
  readonly contentType?: string;
}

export interface RouteDefinition<S extends RequestSchemas = RequestSchemas> {
  readonly method: HttpMethod;
  /** Express path, e.g. `/api/v1/previews/:pr`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: Access;
  /** Without `query`, the route accepts no query parameters. */
  readonly request: S;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  handle(input: RouteInput<S>, res: Response, req: Request): Promise<void> | void;
}

/** Keeps the schemas' types flowing into `handle`. */
export function defineRoute<S extends RequestSchemas>(route: RouteDefinition<S>): RouteDefinition<S> {
  return route;
}

export type AnyRoute = RouteDefinition<RequestSchemas>;

export interface MountOptions {
  readonly tokens: TokenStore;
  readonly webhookSecret?: string;
  /** Largest accepted JSON body (bytes). */
  readonly jsonLimit: number;
  /** Largest accepted webhook body (bytes). */
  readonly webhookLimit: number;
}

export function mountRoutes(app: Express, routes: readonly AnyRoute[], options: MountOptions): void {
  const jsonBody = express.json({ limit: options.jsonLimit, strict: true });
  const rawBody = express.raw({ type: () => true, limit: options.webhookLimit });
  for (const route of routes) {
    app[route.method](route.path, ...accessMiddleware(route, options, jsonBody, rawBody), handlerFor(route));
  }
  const methodsByPath = new Map<string, HttpMethod[]>();
  for (const route of routes) methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  for (const [path, methods] of methodsByPath) app.all(path, methodNotAllowed(methods));
}

function accessMiddleware(
  route: AnyRoute,
  options: MountOptions,
  jsonBody: RequestHandler,
  rawBody: RequestHandler,
): RequestHandler[] {
  const { access } = route;
  switch (access.kind) {
    case "public":
      return [];
    case "webhook":
      return [rawBody, verifyWebhookSignature(options.webhookSecret)];
    case "token": {
      const chain: RequestHandler[] = [authenticate(options.tokens)];
      const { scope } = access;
      if (scope) {
        chain.push((req, _res, next) => {
          authorize(requirePrincipal(req), scope);
          next();
        });
      }
      if (route.request.body) chain.push(jsonBody);
      return chain;
    }
  }
}

function handlerFor(route: AnyRoute): RequestHandler {
  return async (req, res) => {
    const input = parseRequest(route, req);
    await route.handle(input, res, req);
  };
}

/** Validates every part of the request at once, so a 400 lists all bad fields. */
export function parseRequest(route: AnyRoute, req: Request): RouteInput<RequestSchemas> {
  const { request } = route;
  if (request.body && route.access.kind === "token" && !isEmptyBody(req) && req.is("application/json") === false) {
    throw new UnsupportedMediaTypeError("send the request body as application/json");
  }
  const errors: FieldError[] = [];
  const part = (name: "params" | "query" | "body" | "headers", schema: z.ZodTypeAny | undefined, value: unknown): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    errors.push(...fieldErrors(name, result.error));
    return undefined;
  };
  const params = part("params", request.params, { ...req.params });
  const query = part("query", request.query ?? NoQuery, { ...(req.query as Record<string, unknown>) });
  const headers = part("headers", request.headers, req.headers);
  const body = part("body", request.body, req.body);
  if (errors.length > 0) throw new ValidationError("the request is invalid", errors);
  const principal = route.access.kind === "token" ? requirePrincipal(req) : undefined;
  return { params, query, body, headers, principal };
}

function isEmptyBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return length === "0" || (length === undefined && req.headers["transfer-encoding"] === undefined);
}

export function fieldErrors(part: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path].join("."),
    message: issue.code === z.ZodIssueCode.unrecognized_keys ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}
