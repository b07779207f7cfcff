/** `rollgate dora [show]`: the four DORA figures of an environment. */
import { z } from "zod";
import { DoraSchema } from "../../schemas/dora";
import { EnvironmentName } from "../../schemas/releases";
import { DoraWindow } from "../../services/dora/window";
import { json, table } from "../output";
import { defineCommand, exitCodes, type CommandGroup } from "../types";

type Dora = z.output<typeof DoraSchema>;

const show = defineCommand({
  summary: "deployment frequency, lead time, change failure rate and time to restore, with DORA bands",
  flags: z.object({
    env: EnvironmentName.optional().describe("environment (default production)"),
    window: DoraWindow.optional().describe("window ending now, e.g. 30d, 12h, 4w (default 30d)"),
  }),
  async run(flags, context) {
    const query = new URLSearchParams({ environment: flags.env ?? "production", window: flags.window ?? "30d" });
    const dora = await context.client.request("GET", `/api/v1/dora?${query.toString()}`, DoraSchema);
    context.io.stdout(`${context.json ? json(dora) : describe(dora)}\n`);
    return exitCodes.ok;
  },
});

export const doraCommands: CommandGroup = {
  name: "dora",
  summary: "DORA metrics of an environment",
  commands: { show },
  defaultCommand: "show",
};

export function describe(dora: Dora): string {
  const band = (value: string | null) => value ?? "no data";
  const rows = [
    ["deployment frequency", dora.deploymentFrequency.value === null ? "-" : `${round(dora.deploymentFrequency.value)}/day (${round(dora.deploymentFrequency.perWeek)}/week)`, band(dora.deploymentFrequency.band), String(dora.deploymentFrequency.samples)],
    ["lead time for changes", duration(dora.leadTimeForChanges.value), band(dora.leadTimeForChanges.band), String(dora.leadTimeForChanges.samples)],
    ["change failure rate", dora.changeFailureRate.value === null ? "-" : `${round(dora.changeFailureRate.value * 100)}% (${dora.changeFailureRate.failed}/${dora.changeFailureRate.finished})`, band(dora.changeFailureRate.band), String(dora.changeFailureRate.samples)],
    ["time to restore", duration(dora.timeToRestore.value), band(dora.timeToRestore.band), String(dora.timeToRestore.samples)],
  ];
  return [
    `${dora.environment}, last ${dora.window} (${dora.from} → ${dora.to})`,
    table(["FIGURE", "VALUE", "BAND", "SAMPLES"], rows),
    `bands: ${dora.thresholds.source}`,
  ].join("\n");
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function duration(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${round(seconds / 3600)}h`;
  return `${round(seconds / 86_400)}d`;
}
