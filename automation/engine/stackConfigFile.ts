/**
 * A stack's settings file (`Pulumi.<stack>.yaml`) as text: plain values
 * written into it as `pulumi config set-all --plaintext` would, without
 * starting a CLI process (a weight step is one config value and one update,
 * and a CLI run costs a large share of the step), and its values read back.
 * Secrets still go through the CLI, which encrypts them.
 */
import { dump, load } from "js-yaml";

/** Shown instead of a secret's value. */
export const SECRET_PLACEHOLDER = "[secret]";

/** `content` with `values` set under `config:`, keeping every other key (salt, secrets, other values). */
export function withPlainConfig(content: string | undefined, values: Readonly<Record<string, string>>, where: string): string {
  const settings = parseSettings(content, where);
  const current = settings.config;
  if (current !== undefined && (typeof current !== "object" || current === null || Array.isArray(current))) {
    throw new Error(`${where}: \`config\` is not a mapping`);
  }
  settings.config = { ...(current as Record<string, unknown> | undefined), ...values };
  return dump(settings, { lineWidth: -1 });
}

/**
 * The config values of a settings file, as `pulumi config --json` gives
 * them: strings as they are, other scalars and structures as JSON, secrets
 * as `[secret]`.
 */
export function configValues(content: string | undefined, where: string): Record<string, string> {
  const config = parseSettings(content, where).config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw new Error(`${where}: \`config\` is not a mapping`);
  return Object.fromEntries(
    Object.entries(config as Record<string, unknown>).map(([key, value]) => {
      if (typeof value === "string") return [key, value];
      if (value !== null && typeof value === "object" && "secure" in value) return [key, SECRET_PLACEHOLDER];
      return [key, JSON.stringify(value)];
    }),
  );
}

function parseSettings(content: string | undefined, where: string): Record<string, unknown> {
  const settings = content === undefined ? {} : (load(content) ?? {});
  if (typeof settings !== "object" || Array.isArray(settings)) throw new Error(`${where} is not a stack settings mapping`);
  return settings as Record<string, unknown>;
}
