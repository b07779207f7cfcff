/**
 * Narrowing helpers for resource properties. Policy arguments are untyped data
 * from the engine (inputs during `analyze`, outputs during `analyzeStack`), so
 * every check reads them through these instead of trusting a shape.
 */

export type Props = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` when it is an object, else an empty object. */
export function record(value: unknown): Props {
  return isRecord(value) ? value : {};
}

/** `value` when it is an array, else an empty array. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is a non-empty string, else `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The string values of an object (labels, annotations, tags). */
export function stringMap(value: unknown): Readonly<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(record(value))) {
    if (typeof entry === "string") {
      result[key] = entry;
    }
  }
  return result;
}

/** True when `value` is declared: not undefined, null or the empty string. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}
