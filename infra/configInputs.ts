/**
 * How a stack config value (a string, as Pulumi stores it) becomes the value
 * a schema checks: the one home for reading config text, shared by the
 * program's config and the service's reads of stack config. Pulumi-free.
 */
import type { ConfigInput } from "../components/trafficSplit/routers/definition";

/** A value ready for its schema, or `ok: false` when the text cannot be one. */
export type Prepared = { ok: true; value: unknown } | { ok: false };

export const asIs = (raw: unknown): Prepared => ({ ok: true, value: typeof raw === "string" ? raw.trim() : raw });

export const toNumber = (raw: unknown): Prepared => {
  if (typeof raw === "number") {
    return { ok: true, value: raw };
  }
  return typeof raw === "string" && /^[+-]?\d+(\.\d+)?$/.test(raw.trim())
    ? { ok: true, value: Number(raw.trim()) }
    : { ok: false };
};

export const toBoolean = (raw: unknown): Prepared => {
  if (typeof raw === "boolean") {
    return { ok: true, value: raw };
  }
  const text = String(raw).trim().toLowerCase();
  return text === "true" || text === "false" ? { ok: true, value: text === "true" } : { ok: false };
};

/** A JSON array (how Pulumi returns list values) or a comma-separated string. */
export const toList = (raw: unknown): Prepared => {
  if (Array.isArray(raw)) {
    return { ok: true, value: raw };
  }
  if (typeof raw !== "string") {
    return { ok: false };
  }
  const text = raw.trim();
  if (text.startsWith("[")) {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: text.split(",").map((item) => item.trim()).filter((item) => item.length > 0) };
};

/** The preparation for each `ConfigInput` a router setting can be read with (secrets stay as they are). */
export const prepareFor: Record<Exclude<ConfigInput, "secret">, (raw: unknown) => Prepared> = { text: asIs, list: toList, integer: toNumber };
