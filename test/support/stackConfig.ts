import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { StackConfig } from "../../automation/engine/port";

/**
 * The `config:` section of a `Pulumi.<stack>.yaml` file as engine config:
 * lists become JSON (as `pulumi config get` returns them), everything else a
 * string. `overrides` (full keys, e.g. `rollgate:namespace`) win.
 */
export function stackConfigFromFile(path: string, overrides: Readonly<Record<string, string>> = {}): StackConfig {
  const document = load(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    values[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }
  return Object.fromEntries(Object.entries({ ...values, ...overrides }).map(([key, value]) => [key, { value }]));
}
