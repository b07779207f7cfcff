import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";

export const previewTemplatePath = resolve(__dirname, "../stacks/preview.template.yaml");

/**
 * The config keys every preview stack shares, from `stacks/preview.template.yaml`:
 * its fixed values (those without `${...}` placeholders, which the service
 * fills in per pull request).
 */
export function previewTemplateConfig(path = previewTemplatePath): Record<string, string> {
  const document = load(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | undefined;
  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    if (typeof value === "object" || String(value).includes("${")) continue;
    shared[key] = String(value);
  }
  return shared;
}
