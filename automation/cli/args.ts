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

const unitSeconds = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type DurationUnit = keyof typeof unitSeconds;

/**
 * `90s`, `5m`, `1h30m`, `2d` → seconds; a bare number counts in `bareUnit`.
 * Units go from the largest down, each at most once. Undefined for anything else.
 */
export function durationSeconds(text: string, bareUnit: DurationUnit = "s"): number | undefined {
  if (/^[0-9]{1,9}$/.test(text)) return Number(text) * unitSeconds[bareUnit];
  const match = /^(?:([0-9]{1,6})d)?(?:([0-9]{1,7})h)?(?:([0-9]{1,9})m)?(?:([0-9]{1,9})s)?$/.exec(text);
  if (!match || text === "") return undefined;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * unitSeconds.d + Number(hours ?? 0) * unitSeconds.h + Number(minutes ?? 0) * unitSeconds.m + Number(seconds ?? 0);
}

/** 5400 → `1h30m`, 0 → `0s`: the shortest spelling `durationSeconds` reads back. */
export function formatDuration(totalSeconds: number): string {
  let rest = totalSeconds;
  const parts: string[] = [];
  for (const [unit, size] of Object.entries(unitSeconds)) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) parts.push(`${amount}${unit}`);
  }
  return parts.join("") || "0s";
}

export interface DurationFlagOptions {
  /** The unit of the result and of a bare number: seconds unless `hours` (the API's `ttlHours`). */
  readonly unit?: "seconds" | "hours";
  /** Bounds, in `unit`. */
  readonly min: number;
  readonly max: number;
}

/**
 * A duration flag: `90` (in the flag's unit), `90s`, `5m`, `1h30m`, `1h` →
 * a whole number in the flag's unit. parseFlags puts the flag's name before
 * each message.
 */
export function duration({ unit = "seconds", min, max }: DurationFlagOptions) {
  const size = unit === "hours" ? unitSeconds.h : unitSeconds.s;
  const spelling = unit === "hours" ? "hours (72) or with units (72h, 3d, 1d12h)" : "seconds (90) or with units (90s, 5m, 1h30m)";
  return z.string().transform((text, ctx) => {
    const invalid = (message: string): never => {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return z.NEVER;
    };
    const seconds = durationSeconds(text.trim(), unit === "hours" ? "h" : "s");
    if (seconds === undefined) return invalid(`must be a duration: ${spelling}`);
    if (seconds % size !== 0) return invalid(`must be a whole number of ${unit}`);
    if (seconds < min * size || seconds > max * size) {
      return invalid(`must be from ${formatDuration(min * size)} to ${formatDuration(max * size)}, got ${formatDuration(seconds)}`);
    }
    return seconds / size;
  });
}
