/**
 * The CLI's environment (`ROLLGATE_*`), parsed once with zod like its flags.
 * `CLI_VARIABLES` lists what it reads (the README's Configuration table names each).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseVariables } from "../env";

export const defaultServer = "http://127.0.0.1:7070";

/** An http(s) URL: `--server` and `ROLLGATE_URL`. */
export const serverUrl = z
  .string()
  .url()
  .refine((url) => /^https?:\/\//.test(url), "must be an http(s) URL");

const CliVariables = z.object({
  ROLLGATE_URL: serverUrl.default(defaultServer),
  ROLLGATE_TOKEN: z.string().min(1).optional(),
  ROLLGATE_STATE_DIR: z.string().min(1).default(".rollgate"),
});

export const CLI_VARIABLES = Object.keys(CliVariables.shape) as readonly (keyof typeof CliVariables.shape)[];

export interface CliSettings {
  readonly server: string;
  readonly token?: string;
  /** Holds `token`, the local admin token `npm start` writes. */
  readonly stateDir: string;
}

/** Throws `EnvError` naming a bad variable. */
export function cliSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  const variables = parseVariables(CliVariables, env);
  return {
    server: variables.ROLLGATE_URL,
    ...(variables.ROLLGATE_TOKEN === undefined ? {} : { token: variables.ROLLGATE_TOKEN }),
    stateDir: variables.ROLLGATE_STATE_DIR,
  };
}

/** `<stateDir>/token`, when there is one. */
export function localToken(stateDir: string): string | undefined {
  try {
    return readFileSync(join(stateDir, "token"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
