/**
 * JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) from the zod 3 schemas the
 * routes validate with. Covers the zod types this service uses and throws on
 * any other, so a new type cannot be documented wrongly without a test failing.
 */
import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/** `input` documents what clients send (before transforms); `output` what they receive. */
export type Direction = "input" | "output";

export function zodToJsonSchema(schema: z.ZodTypeAny, direction: Direction = "output"): JsonSchema {
  const converted = convert(schema, direction);
  return schema.description && !("description" in converted) ? { ...converted, description: schema.description } : converted;
}

function convert(schema: z.ZodTypeAny, direction: Direction): JsonSchema {
  const def: unknown = schema._def;
  if (schema instanceof z.ZodString) return stringSchema(schema);
  if (schema instanceof z.ZodNumber) return numberSchema(schema);
  if (schema instanceof z.ZodBoolean) return { type: "boolean" };
  if (schema instanceof z.ZodNull) return { type: "null" };
  if (schema instanceof z.ZodLiteral) return { const: schema.value as unknown };
  if (schema instanceof z.ZodEnum) return { type: "string", enum: [...(schema.options as string[])] };
  if (schema instanceof z.ZodUnknown || schema instanceof z.ZodAny) return {};
  if (schema instanceof z.ZodArray) return { type: "array", items: zodToJsonSchema(schema.element as z.ZodTypeAny, direction) };
  if (schema instanceof z.ZodRecord) {
    return { type: "object", additionalProperties: zodToJsonSchema(schema.valueSchema as z.ZodTypeAny, direction) };
  }
  if (schema instanceof z.ZodObject) return objectSchema(schema, direction);
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    const options = [...(schema.options as Iterable<z.ZodTypeAny>)];
    return { anyOf: options.map((option) => zodToJsonSchema(option, direction)) };
  }
  if (schema instanceof z.ZodNullable) {
    return { anyOf: [zodToJsonSchema(schema.unwrap() as z.ZodTypeAny, direction), { type: "null" }] };
  }
  if (schema instanceof z.ZodOptional) return zodToJsonSchema(schema.unwrap() as z.ZodTypeAny, direction);
  if (schema instanceof z.ZodDefault) {
    const inner = zodToJsonSchema(schema.removeDefault() as z.ZodTypeAny, direction);
    return { ...inner, default: (def as { defaultValue: () => unknown }).defaultValue() };
  }
  if (schema instanceof z.ZodEffects) return zodToJsonSchema(schema.innerType() as z.ZodTypeAny, direction);
  if (schema instanceof z.ZodPipeline) {
    const { in: input, out } = def as { in: z.ZodTypeAny; out: z.ZodTypeAny };
    return zodToJsonSchema(direction === "input" ? input : out, direction);
  }
  if (schema instanceof z.ZodBranded) return zodToJsonSchema(schema.unwrap() as z.ZodTypeAny, direction);
  throw new Error(`zodToJsonSchema: unsupported zod type ${(def as { typeName?: string }).typeName ?? "unknown"}`);
}

function stringSchema(schema: z.ZodString): JsonSchema {
  const out: JsonSchema = { type: "string" };
  for (const check of schema._def.checks) {
    switch (check.kind) {
      case "min":
        out.minLength = check.value;
        break;
      case "max":
        out.maxLength = check.value;
        break;
      case "length":
        out.minLength = check.value;
        out.maxLength = check.value;
        break;
      case "regex":
        out.pattern = check.regex.source;
        break;
      case "uuid":
        out.format = "uuid";
        break;
      case "datetime":
        out.format = "date-time";
        break;
      case "url":
        out.format = "uri";
        break;
      case "email":
        out.format = "email";
        break;
      default:
        break;
    }
  }
  return out;
}

function numberSchema(schema: z.ZodNumber): JsonSchema {
  const out: JsonSchema = { type: "number" };
  for (const check of schema._def.checks) {
    if (check.kind === "int") out.type = "integer";
    if (check.kind === "min") out[check.inclusive ? "minimum" : "exclusiveMinimum"] = check.value;
    if (check.kind === "max") out[check.inclusive ? "maximum" : "exclusiveMaximum"] = check.value;
  }
  return out;
}

function objectSchema(schema: z.ZodObject<z.ZodRawShape>, direction: Direction): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(schema.shape)) {
    properties[key] = zodToJsonSchema(value, direction);
    if (!value.isOptional()) required.push(key);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(schema._def.unknownKeys === "strict" ? { additionalProperties: false } : {}),
  };
}
