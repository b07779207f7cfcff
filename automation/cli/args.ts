/** Flag parsing: argv tokens → an object validated by the command's zod schema. */
import { z } from "zod";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type FlagSchema = z.ZodObject<z.ZodRawShape>;

/** `--ttl` for key `ttl`, `--commit-sha` for key `commitSha`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function keyOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_whole, letter: string) => letter.toUpperCase());
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return unwrap(schema.unwrap() as z.ZodTypeAny);
  if (schema instanceof z.ZodDefault) return unwrap(schema.removeDefault() as z.ZodTypeAny);
  return schema;
}

export function isBooleanFlag(schema: z.ZodTypeAny): boolean {
  return unwrap(schema) instanceof z.ZodBoolean;
}

/**
 * Reads `--flag value`, `--flag=value` and bare boolean `--flag`s. Unknown
 * flags, repeated flags, missing values and positional arguments are usage
 * errors naming the flag.
 */
export function parseFlags<S extends FlagSchema>(schema: S, argv: readonly string[]): z.output<S> {
  const shape = schema.shape;
  const raw: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? "";
    if (!token.startsWith("--") || token === "--") throw new UsageError(`unexpected argument "${token}"`);
    const equals = token.indexOf("=");
    const flag = equals < 0 ? token : token.slice(0, equals);
    const key = keyOf(flag.slice(2));
    const field = shape[key];
    if (!field) throw new UsageError(`unknown flag ${flag}`);
    if (key in raw) throw new UsageError(`${flag} is given more than once`);
    if (isBooleanFlag(field)) {
      if (equals >= 0) throw new UsageError(`${flag} takes no value`);
      raw[key] = true;
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) {
      value = token.slice(equals + 1);
    } else {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    const flag = key === undefined ? "flags" : flagName(String(key));
    throw new UsageError(issue?.message === "Required" ? `${flag} is required` : `${flag}: ${issue?.message ?? "is invalid"}`);
  }
  return parsed.data;
}

/** Usage lines for a schema's flags, from their descriptions. */
export function describeFlags(schema: FlagSchema): string[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    const value = isBooleanFlag(field) ? "" : " <value>";
    const optional = field.isOptional() ? "" : " (required)";
    return `  ${`${flagName(key)}${value}`.padEnd(22)} ${field.description ?? ""}${optional}`;
  });
}
