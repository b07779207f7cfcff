/** The OpenAPI 3.1 document, generated from the same route list that express serves. */
import { z } from "zod";
import type { AnyRoute } from "../routes/route";
import { zodToJsonSchema, type JsonSchema } from "./zodToJsonSchema";

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** `/api/v1/previews/:pr` → `/api/v1/previews/{pr}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operationObject(route) };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A token from the tokens file (ROLLGATE_TOKENS_FILE)" },
        githubSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Hub-Signature-256",
          description: "sha256=<HMAC-SHA256 of the raw body with ROLLGATE_GITHUB_WEBHOOK_SECRET>",
        },
      },
    },
  };
}

function operationObject(route: AnyRoute): Record<string, unknown> {
  const { request, access } = route;
  const parameters = [
    ...parametersOf("path", request.params),
    ...parametersOf("query", request.query),
    ...parametersOf("header", request.headers),
  ];
  const security =
    access.kind === "token" ? [{ bearer: [] }] : access.kind === "webhook" ? [{ githubSignature: [] }] : [];
  const scope = access.kind === "token" ? (access.scope ? `\`${access.scope}\`` : access.scopeNote) : undefined;
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [...route.tags],
    ...(scope ? { description: `Required scope: ${scope}.` } : {}),
    security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(request.body
      ? {
          requestBody: {
            required: !request.body.isOptional(),
            content: { "application/json": { schema: zodToJsonSchema(request.body, "input") } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema
            ? { content: { [response.contentType ?? "application/json"]: { schema: zodToJsonSchema(response.schema, "output") } } }
            : {}),
        },
      ]),
    ),
  };
}

function parametersOf(location: "path" | "query" | "header", schema: z.ZodTypeAny | undefined): JsonSchema[] {
  if (!schema) return [];
  const object = unwrapObject(schema);
  return Object.entries(object.shape).map(([name, value]) => {
    const field = value as z.ZodTypeAny;
    return {
      name,
      in: location,
      required: location === "path" || !field.isOptional(),
      ...(field.description ? { description: field.description } : {}),
      schema: zodToJsonSchema(field, "input"),
    };
  });
}

function unwrapObject(schema: z.ZodTypeAny): z.ZodObject<z.ZodRawShape> {
  if (schema instanceof z.ZodObject) return schema as z.ZodObject<z.ZodRawShape>;
  if (schema instanceof z.ZodEffects) return unwrapObject(schema.innerType() as z.ZodTypeAny);
  throw new Error("parameters must be described by a zod object");
}
