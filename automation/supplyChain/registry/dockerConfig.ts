/**
 * Registry credentials the way Docker and cosign keep them: `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`),
 * `auths.<host>` with `auth` (base64 `user:password`), `username`/`password`, or an `identitytoken` (OAuth2 refresh
 * token). Credential helpers (`credsStore`, `credHelpers`) run programs and are not used.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { fieldIssues } from "../../release/schemas";

const authEntrySchema = z
  .object({
    auth: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    identitytoken: z.string().optional(),
  })
  .passthrough();

export const dockerConfigSchema = z.object({ auths: z.record(authEntrySchema).default({}) }).passthrough();
export type DockerConfig = z.output<typeof dockerConfigSchema>;

export type RegistryCredentials =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "identityToken"; readonly token: string };

/** Docker Hub's entry is keyed by its legacy index URL. */
const DOCKER_HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];

/** The credentials for `host` (`ghcr.io`, `localhost:5000`); `undefined` when the config has none. */
export function credentialsFor(config: DockerConfig, host: string): RegistryCredentials | undefined {
  const keys = DOCKER_HUB_KEYS.includes(host) ? DOCKER_HUB_KEYS : [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  const entry = keys.map((key) => config.auths[key]).find((candidate) => candidate !== undefined);
  if (!entry) return undefined;
  if (entry.identitytoken) return { kind: "identityToken", token: entry.identitytoken };
  if (entry.username !== undefined && entry.password !== undefined) return { kind: "basic", username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new DockerConfigError(`\`auths["${host}"].auth\` is not base64 of \`user:password\``);
  return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class DockerConfigError extends Error {
  override readonly name = "DockerConfigError";
}

/** Parses a config file's text; the error names the field (never a secret). */
export function parseDockerConfig(text: string, source = "docker config"): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DockerConfigError(`${source} is not JSON`);
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) throw new DockerConfigError(`${source}: ${fieldIssues(parsed.error).map((issue) => `\`${issue.field}\` ${issue.message}`).join("; ")}`);
  return parsed.data;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; an empty config when there is no file. */
export function loadDockerConfig(env: NodeJS.ProcessEnv = process.env): DockerConfig {
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { auths: {} };
    throw error;
  }
  return parseDockerConfig(text, file);
}
