#!/usr/bin/env node
/**
 * `rollgate` — the command-line client of the Rollgate service.
 * Run with `npx tsx automation/cli/main.ts <group> <command> [flags]`, or `rollgate` once installed (cli.cjs).
 */
import { z } from "zod";
import { version } from "../../package.json";
import { EnvError } from "../env";
import { describeFlags, parseFlags, UsageError, type FlagSchema } from "./args";
import { ApiError, ConnectionError, RollgateClient } from "./client";
import { commandGroups } from "./commands";
import { cliSettings, defaultServer, localToken, serverUrl, type CliSettings } from "./environment";
import { exitCodeHelp, exitCodes, type CliIo, type Command, type CommandGroup } from "./types";

const GlobalFlags = z.object({
  server: serverUrl.optional().describe(`server URL (ROLLGATE_URL, default ${defaultServer})`),
  token: z.string().min(1).optional().describe("API token (ROLLGATE_TOKEN, else .rollgate/token)"),
  json: z.boolean().optional().describe("print JSON on stdout"),
});

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [groupName, ...afterGroup] = argv;
  if (groupName === undefined || groupName === "--help" || groupName === "-h" || groupName === "help") {
    (groupName === undefined ? io.stderr : io.stdout)(`${mainUsage()}\n`);
    return groupName === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (groupName === "--version") {
    io.stdout(`${version}\n`);
    return exitCodes.ok;
  }
  const group = commandGroups.find((candidate) => candidate.name === groupName);
  if (!group) return usageError(io, `unknown command "${groupName}"`, mainUsage());
  const [commandName, ...rest] = withDefaultCommand(group, afterGroup);
  if (commandName === undefined || commandName === "--help" || commandName === "-h") {
    (commandName === undefined ? io.stderr : io.stdout)(`${groupUsage(group)}\n`);
    return commandName === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = group.commands[commandName];
  if (!command) return usageError(io, `unknown command "${groupName} ${commandName}"`, groupUsage(group));
  const schema = allFlags(command);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`${commandUsage(group, commandName, command)}\n`);
    return exitCodes.ok;
  }

  let flags: z.output<typeof schema>;
  try {
    flags = parseFlags(schema, rest);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message, commandUsage(group, commandName, command));
    throw err;
  }
  let settings: CliSettings;
  try {
    settings = cliSettings(io.env);
  } catch (err) {
    if (err instanceof EnvError) return usageError(io, err.message, commandUsage(group, commandName, command));
    throw err;
  }
  // parseFlags validated the global flags together with the command's.
  const global = flags as z.output<typeof GlobalFlags>;
  const token = global.token ?? settings.token ?? localToken(settings.stateDir);
  const client = new RollgateClient({
    baseUrl: global.server ?? settings.server,
    ...(token ? { token } : {}),
    ...(io.fetch ? { fetch: io.fetch } : {}),
  });
  try {
    return await command.run(flags, { client, io, json: global.json ?? false, pollIntervalMs: io.pollIntervalMs ?? 1000 });
  } catch (err) {
    io.stderr(`error: ${describeError(err)}\n`);
    return err instanceof ConnectionError ? exitCodes.unreachable : exitCodes.failed;
  }
}

/** `rollgate audit --env x` is `rollgate audit list --env x` when the group has a default command. */
function withDefaultCommand(group: CommandGroup, args: readonly string[]): readonly string[] {
  const [first] = args;
  const help = first === "--help" || first === "-h";
  if (group.defaultCommand === undefined || help || (first !== undefined && !first.startsWith("--"))) return args;
  return [group.defaultCommand, ...args];
}

function allFlags(command: Command): FlagSchema {
  return command.flags.merge(GlobalFlags);
}

function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.problem?.errors?.map((error) => `\n  ${error.path}: ${error.message}`).join("") ?? "";
    const hint = err.status === 401 ? " (pass --token or set ROLLGATE_TOKEN)" : "";
    return `${err.message}${hint}${fields}`;
  }
  if (err instanceof ConnectionError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

function usageError(io: CliIo, message: string, usage: string): number {
  io.stderr(`error: ${message}\n\n${usage}\n`);
  return exitCodes.usage;
}

function mainUsage(): string {
  return [
    "usage: rollgate <command> <subcommand> [flags]",
    "",
    "commands:",
    ...commandGroups.map((group) => `  ${group.name.padEnd(12)} ${group.summary}`),
    "",
    "Run `rollgate <command> --help` for its subcommands; `rollgate --version` prints the version.",
    "",
    "exit codes:",
    ...Object.entries(exitCodeHelp).map(([name, meaning]) => `  ${exitCodes[name as keyof typeof exitCodes]}  ${meaning}`),
  ].join("\n");
}

function groupUsage(group: CommandGroup): string {
  return [
    `usage: rollgate ${group.name} <subcommand> [flags]${group.defaultCommand ? ` (default subcommand: ${group.defaultCommand})` : ""}`,
    "",
    "subcommands:",
    ...Object.entries(group.commands).map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`),
  ].join("\n");
}

function commandUsage(group: CommandGroup, name: string, command: Command): string {
  return [
    `usage: rollgate ${group.name} ${name} [flags]`,
    "",
    command.summary,
    "",
    "flags:",
    ...describeFlags(command.flags),
    ...describeFlags(GlobalFlags),
  ].join("\n");
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = exitCodes.failed;
    },
  );
}
