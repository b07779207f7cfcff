/**
 * Plain (non-secret) values written straight into a stack's
 * `Pulumi.<stack>.yaml`, as `pulumi config set-all --plaintext` would, without
 * starting a CLI process for it: a weight step is one config value and one
 * update, and the CLI run costs a large share of the step. Secrets still go
 * through the CLI, which encrypts them.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dump, load } from "js-yaml";

/** Sets `values` under `config:` in the stack settings file, keeping every other key (salt, secrets, other values). */
export function writePlainConfig(file: string, values: Readonly<Record<string, string>>): void {
  const settings = existsSync(file) ? ((load(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>) : {};
  if (typeof settings !== "object" || Array.isArray(settings)) throw new Error(`${file} is not a stack settings mapping`);
  const current = settings.config;
  if (current !== undefined && (typeof current !== "object" || current === null || Array.isArray(current))) {
    throw new Error(`${file}: \`config\` is not a mapping`);
  }
  settings.config = { ...(current as Record<string, unknown> | undefined), ...values };
  // Written beside and renamed over the file, so a crash never leaves it half written.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, dump(settings, { lineWidth: -1 }));
  renameSync(temporary, file);
}
