/** The shape of CLI commands: a new command group (release, audit, dora) is one file in `commands/`. */
import type { z } from "zod";
import type { FlagSchema } from "./args";
import type { RollgateClient } from "./client";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
  /** How often `--wait` polls the operation. */
  readonly pollIntervalMs?: number;
}

export interface CliContext {
  readonly client: RollgateClient;
  readonly io: CliIo;
  /** `--json`: machine-readable output on stdout. */
  readonly json: boolean;
  readonly pollIntervalMs: number;
}

export interface Command<S extends FlagSchema = FlagSchema> {
  readonly summary: string;
  /** Command flags; the global ones (--server, --token, --json) are added to them. */
  readonly flags: S;
  /** Returns the exit code. */
  run(flags: z.output<S>, context: CliContext): Promise<number>;
}

export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: Readonly<Record<string, Command>>;
  /** Run when the group is given without a subcommand (`rollgate audit --env production`). */
  readonly defaultCommand?: string;
}

/** Keeps a command's flag types flowing into `run`. */
export function defineCommand<S extends FlagSchema>(command: Command<S>): Command<S> {
  return command;
}

/** What a CI job goes by; `rollgate --help` and the README list them (`exitCodeHelp`). */
export const exitCodes = { ok: 0, failed: 1, usage: 2, rolledBack: 3, timedOut: 4, unreachable: 5 } as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** One line per exit code, for `rollgate --help`. */
export const exitCodeHelp: Readonly<Record<keyof typeof exitCodes, string>> = {
  ok: "success (a waited release succeeded, a waited operation finished)",
  failed: "failed: the API refused the request, an operation or a release failed",
  usage: "usage error: unknown command or flag, bad flag value",
  rolledBack: "a waited or watched release ended rolled back or aborted",
  timedOut: "--wait or --watch stopped at its --timeout with the release still running",
  unreachable: "the server could not be reached or answered something that is not Rollgate's API",
};
