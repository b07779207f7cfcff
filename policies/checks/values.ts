/**
 * Narrowing helpers for resource properties. Policy arguments are untyped data
 * from the engine (inputs during `analyze`, outputs during `analyzeStack`), so
 * every check reads them through these instead of trusting a shape.
 */

export { isRecord, list, record, stringMap, type Props } from "../../components/untyped";

/** `value` when it is a non-empty string, else `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** True when `value` is declared: not undefined, null or the empty string. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}
