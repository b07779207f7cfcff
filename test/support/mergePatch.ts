/** JSON merge patch (RFC 7386) as the API server applies one: objects merge, `null` removes a key, anything else replaces. */
import { isRecord } from "../../components/untyped";

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
