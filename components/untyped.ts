/**
 * Narrowing helpers for untyped data: resource properties the policy engine
 * hands over and objects read from the Kubernetes API. Checks read them
 * through these instead of trusting a shape.
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
