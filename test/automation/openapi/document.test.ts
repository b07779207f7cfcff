import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isMethodNotAllowedHandler } from "../../../automation/middleware/problem";
import { openApiPath } from "../../../automation/openapi/document";
import { zodToJsonSchema } from "../../../automation/openapi/zodToJsonSchema";
import { CreatePreviewBody } from "../../../automation/schemas/previews";
import { StartReleaseBody } from "../../../automation/schemas/releases";
import { bearer, createHarness, tokens } from "../support/harness";

interface RouterLayer {
  readonly route?: {
    readonly path: string;
    readonly methods: Record<string, boolean>;
    readonly stack: readonly { readonly handle: unknown }[];
  };
}

/** Every `method path` express actually serves, read from the router (the 405 fallbacks aside). */
function servedRoutes(app: { router: { stack: RouterLayer[] } }): string[] {
  const served: string[] = [];
  for (const layer of app.router.stack) {
    if (!layer.route || layer.route.stack.every((handler) => isMethodNotAllowedHandler(handler.handle))) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (enabled && method !== "_all") served.push(`${method} ${openApiPath(layer.route.path)}`);
    }
  }
  return served.sort();
}

describe("the OpenAPI document", () => {
  it("is served to any valid token as OpenAPI 3.1", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(tokens.auditor));

    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    expect(response.body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents every route the app serves, and nothing else", async () => {
    const h = createHarness();
    const document = (await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(tokens.admin))).body as {
      paths: Record<string, Record<string, unknown>>;
    };

    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();

    const served = servedRoutes(h.rollgate.app as unknown as { router: { stack: RouterLayer[] } });
    expect(served).toEqual(documented);
    expect(served).toEqual(
      expect.arrayContaining([
        "post /api/v1/previews",
        "get /api/v1/previews",
        "get /api/v1/previews/{pr}",
        "delete /api/v1/previews/{pr}",
        "get /api/v1/operations/{id}",
        "get /api/v1/operations/{id}/events",
        "post /api/v1/webhooks/github",
        "get /healthz",
        "get /readyz",
        "get /metrics",
        "get /api/v1/openapi.json",
      ]),
    );
  });

  it("documents the create body from the zod schema, strict and with its constraints", async () => {
    const h = createHarness();
    const document = (await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(tokens.admin))).body;

    const operation = document.paths["/api/v1/previews"].post;
    const schema = operation.requestBody.content["application/json"].schema;

    expect(schema).toMatchObject({
      type: "object",
      required: ["pr", "image"],
      additionalProperties: false,
      properties: {
        pr: { type: "integer", exclusiveMinimum: 0, maximum: 999_999_999 },
        commitSha: { type: "string", pattern: "^[0-9a-fA-F]{40}$" },
        ttlHours: { type: "integer", minimum: 1, maximum: 720 },
      },
    });
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation.description).toContain("previews:write");
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["202", "400", "401", "403", "413"]));
  });

  it("documents path parameters as they are sent (strings with a pattern)", async () => {
    const h = createHarness();
    const document = (await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(tokens.admin))).body;

    expect(document.paths["/api/v1/previews/{pr}"].get.parameters).toEqual([
      expect.objectContaining({ name: "pr", in: "path", required: true, schema: expect.objectContaining({ type: "string" }) }),
    ]);
  });

  it("documents the weight, mirror and header step forms of a release, and the routers that can do each", () => {
    const schema = zodToJsonSchema(StartReleaseBody, "input") as { description: string; properties: { steps: { items: { properties: object } } } };

    expect(Object.keys(schema.properties.steps.items.properties)).toEqual(["weight", "mirror", "header", "pauseSeconds", "analysis"]);
    expect(schema.description).toContain("needs a router with mirroring: gateway-api, istio;");
    expect(schema.description).toContain("needs a router with header routing: gateway-api, istio, nginx, aws;");
  });

  it("lets the documented image pattern accept what the API accepts", () => {
    const schema = zodToJsonSchema(CreatePreviewBody, "input") as { properties: { image: { pattern: string } } };
    const pattern = new RegExp(schema.properties.image.pattern);

    expect(pattern.test("ghcr.io/acme/app:pr-12")).toBe(true);
    expect(pattern.test("localhost:5000/app@sha256:" + "a".repeat(64))).toBe(true);
    expect(pattern.test("Bad Image")).toBe(false);
  });
});

describe("zodToJsonSchema", () => {
  it("converts nullable, enum, record, union and literal types", () => {
    expect(zodToJsonSchema(z.string().nullable())).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(zodToJsonSchema(z.enum(["a", "b"]))).toEqual({ type: "string", enum: ["a", "b"] });
    expect(zodToJsonSchema(z.record(z.number()))).toEqual({ type: "object", additionalProperties: { type: "number" } });
    expect(zodToJsonSchema(z.union([z.literal(1), z.boolean()]))).toEqual({ anyOf: [{ const: 1 }, { type: "boolean" }] });
  });

  it("documents the input side of a pipeline for requests and the output side for responses", () => {
    const schema = z.string().regex(/^[0-9]+$/).transform(Number).pipe(z.number().int());

    expect(zodToJsonSchema(schema, "input")).toEqual({ type: "string", pattern: "^[0-9]+$" });
    expect(zodToJsonSchema(schema, "output")).toEqual({ type: "integer" });
  });

  it("refuses zod types it cannot document", () => {
    expect(() => zodToJsonSchema(z.bigint())).toThrow(/unsupported zod type ZodBigInt/);
  });
});
