/** What the numbers were measured on: the machine, its load, and the toolchain versions. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memoryMb: number;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? "unknown",
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** `KEY=value` lines of a shell env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) values[match[1]] = (match[2] ?? "").trim().replace(/^"(.*)"$/, "$1");
  }
  return values;
}

export interface Versions {
  readonly node: string;
  readonly pulumi: string;
  readonly pulumiKubernetes: string;
  readonly kubernetes: string;
  readonly kwok: string;
  readonly gatewayApi: string;
  /** Git commit of the code measured, `-dirty` when the work tree had changes. */
  readonly rollgate: string;
}

export async function versions(repoRoot: string): Promise<Versions> {
  const pinned = parseEnvFile(readFileSync(join(repoRoot, "scripts/toolchain/versions.env"), "utf8"));
  const pulumi = await run("pulumi", ["version"]).then(
    ({ stdout }) => stdout.trim(),
    () => "unknown",
  );
  const commit = await run("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repoRoot }).then(({ stdout }) => stdout.trim(), () => "unknown");
  const dirty = await run("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repoRoot }).then(({ stdout }) => stdout.trim() !== "", () => false);
  return {
    node: process.version,
    pulumi,
    pulumiKubernetes: pinned.PULUMI_KUBERNETES_VERSION ?? "unknown",
    kubernetes: pinned.KUBERNETES_VERSION ?? "unknown",
    kwok: pinned.KWOK_VERSION ?? "unknown",
    gatewayApi: pinned.GATEWAY_API_VERSION ?? "unknown",
    rollgate: `${commit}${dirty ? "-dirty" : ""}`,
  };
}
