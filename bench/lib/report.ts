/** The results file and the markdown report. */
import type { GoalResult } from "./goals";
import type { MachineInfo, Versions } from "./machine";
import type { Figure } from "./stats";
import { FIGURE_HEADERS, figureRows, markdownTable } from "./table";

export interface BenchResults {
  readonly schema: 1;
  readonly mode: "full" | "quick";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo & { readonly loadAverageAtEnd: readonly number[] };
  readonly versions: Versions;
  readonly settings: { readonly runs: number; readonly concurrency: number; readonly scenarios: readonly string[]; readonly router?: string; readonly maxConcurrentOperations: number };
  readonly figures: Readonly<Record<string, Figure>>;
  readonly ratios: Readonly<Record<string, number | null>>;
  readonly goals: readonly GoalResult[];
  readonly profile: Readonly<Record<string, unknown>>;
  readonly errors: readonly { readonly scenario: string; readonly message: string }[];
}

const verdict = (met: boolean | null) => (met === null ? "not measured" : met ? "met" : "NOT met");

export function renderReport(results: BenchResults): string {
  const { machine, versions } = results;
  const goals = markdownTable(
    ["goal", "actual", "target", "result"],
    results.goals.map((goal) => [
      goal.description,
      goal.actual === null ? undefined : `${goal.actual} ${goal.unit}`,
      goal.limit === null ? undefined : `${goal.op} ${goal.limit} ${goal.unit}`,
      verdict(goal.met),
    ]),
  );
  const lines = [
    `## Rollgate benchmarks (${results.mode}, ${results.settings.runs} runs, ${results.settings.concurrency} concurrent previews, router ${results.settings.router ?? "gateway-api"})`,
    "",
    `${machine.cpus} × ${machine.model}, ${machine.memoryMb} MB, load ${machine.loadAverage.join(" / ")} → ${machine.loadAverageAtEnd.join(" / ")}; ` +
      `node ${versions.node}, pulumi ${versions.pulumi}, pulumi-kubernetes ${versions.pulumiKubernetes}, kube ${versions.kubernetes}, rollgate ${versions.rollgate}; ` +
      `${Math.round(results.durationSeconds)} s`,
    "",
    goals,
    "",
    markdownTable([...FIGURE_HEADERS], figureRows(results.figures)),
  ];
  if (results.errors.length > 0) {
    lines.push("", "Errors:", ...results.errors.map((error) => `- ${error.scenario}: ${error.message.split("\n")[0]}`));
  }
  return `${lines.join("\n")}\n`;
}
