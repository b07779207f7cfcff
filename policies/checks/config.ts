/**
 * Policy configuration: defaults and validation against a policy's
 * `configSchema`. The Pulumi CLI fills defaults and validates config files
 * itself, but it ignores parameters the schema does not name; reading config
 * through here also rejects those, and gives tests the same rules.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

import { isRecord } from "./values";

export const enforcementLevels = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevelName = (typeof enforcementLevels)[number];

export function isEnforcementLevel(value: unknown): value is EnforcementLevelName {
  return typeof value === "string" && (enforcementLevels as readonly string[]).includes(value);
}

/** Problems with one value against one property schema; `path` names it in messages. */
function valueErrors(path: string, schema: PolicyConfigJSONSchema, value: unknown): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((type) => hasType(type, value))) {
    return [`\`${path}\` must be of type ${types.join(" or ")}`];
  }
  const errors: string[] = [];
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) {
    errors.push(`\`${path}\` must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push(`\`${path}\` must be at least ${schema.minimum}`);
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push(`\`${path}\` must be at most ${schema.maximum}`);
    }
  }
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push(`\`${path}\` must be at least ${schema.minLength} characters long`);
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isRecord(items)) {
      value.forEach((item, index) => errors.push(...valueErrors(`${path}[${index}]`, items, item)));
    }
    if (schema.uniqueItems === true && new Set(value).size !== value.length) {
      errors.push(`\`${path}\` must not repeat items`);
    }
  }
  return errors;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isRecord(value);
    case "null":
      return value === null;
    default:
      return false;
  }
}

/**
 * Problems with a policy's parameters (the config object without
 * `enforcementLevel`): unknown names, missing required ones, wrong values.
 */
export function configErrors(schema: PolicyConfigSchema | undefined, params: Readonly<Record<string, unknown>>): string[] {
  const properties = schema?.properties ?? {};
  const errors: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const property = properties[name];
    if (property === undefined) {
      errors.push(`\`${name}\` is not a parameter of this policy`);
    } else if (isRecord(property)) {
      errors.push(...valueErrors(name, property, value));
    }
  }
  for (const name of schema?.required ?? []) {
    if (!(name in params)) {
      errors.push(`\`${name}\` is required`);
    }
  }
  return errors;
}

/** The schema's defaults overlaid with `params`. */
export function withDefaults(schema: PolicyConfigSchema, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (isRecord(property) && property.default !== undefined) {
      result[name] = property.default;
    }
  }
  return { ...result, ...params };
}

/**
 * Reads a policy's parameters: defaults filled in, then validated. Invalid
 * config throws, so a mistyped config file fails the preview instead of
 * silently relaxing a policy.
 */
export function readConfig<T extends object>(policyName: string, schema: PolicyConfigSchema, params: object): T {
  const merged = withDefaults(schema, params as Record<string, unknown>);
  const errors = configErrors(schema, merged);
  if (errors.length > 0) {
    throw new Error(`Invalid configuration for policy \`${policyName}\`: ${errors.join("; ")}`);
  }
  return merged as T;
}
