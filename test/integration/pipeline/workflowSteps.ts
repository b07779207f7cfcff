/**
 * Runs steps of the GitHub Actions workflows locally: a step's `run:` script
 * with the environment its `env:` block sets, the `${{ }}` values replaced by
 * the test's, in a bash like the runner's (`bash -eo pipefail`), from the
 * repository root, with GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { load } from "js-yaml";

export const repoRoot = resolve(__dirname, "../../..");
export const workflowsDir = resolve(repoRoot, ".github/workflows");

export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

export interface WorkflowJob {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly environment?: unknown;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps?: WorkflowStep[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: unknown };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

export function loadWorkflow(file: string): Workflow {
  return load(readFileSync(join(workflowsDir, file), "utf8")) as Workflow;
}

export function needsOf(job: WorkflowJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** The step of `job` whose `run:` calls `scripts/pipeline/<script>`; fails when there is not exactly one. */
export function stepRunning(workflow: Workflow, jobId: string, script: string): WorkflowStep {
  const job = workflow.jobs[jobId];
  if (!job?.steps) throw new Error(`workflow ${workflow.name} has no job ${jobId} with steps`);
  const steps = job.steps.filter((step) => step.run?.includes(`scripts/pipeline/${script}`));
  if (steps.length !== 1) throw new Error(`job ${jobId} has ${steps.length} steps running ${script}`);
  return steps[0] as WorkflowStep;
}

/**
 * The step's environment with the test's values: every variable the workflow
 * sets must get one, and the test may give no others, so the test runs the
 * step with exactly the workflow's variables.
 */
export function stepEnvironment(step: WorkflowStep, values: Readonly<Record<string, string>>): Record<string, string> {
  const names = Object.keys(step.env ?? {});
  const missing = names.filter((name) => values[name] === undefined);
  const extra = Object.keys(values).filter((name) => !names.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `step "${step.name ?? step.run}" sets ${names.join(", ") || "no variables"}; ` +
        `the test must give exactly those (missing: ${missing.join(", ") || "-"}; not in the workflow: ${extra.join(", ") || "-"})`,
    );
  }
  return { ...values };
}

export interface StepResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the step appended to the job summary. */
  readonly summary: string;
  /** `name=value` lines the step wrote to GITHUB_OUTPUT. */
  readonly outputs: Record<string, string>;
  readonly seconds: number;
}

export interface RunOptions {
  /** Variables of the runner itself (GITHUB_SHA, GITHUB_ACTIONS...), besides the step's env. */
  readonly runner?: Readonly<Record<string, string>>;
}

/** Runs the step's `run:` script as the runner would, with `env` (from {@link stepEnvironment}). */
export function runStep(step: WorkflowStep, env: Readonly<Record<string, string>>, options: RunOptions = {}): Promise<StepResult> {
  if (!step.run) throw new Error(`step ${step.name ?? "?"} has no run script`);
  const work = mkdtempSync(join(tmpdir(), "rg-step-"));
  const summaryFile = join(work, "summary.md");
  const outputFile = join(work, "output.txt");
  const started = performance.now();
  return new Promise((resolveStep, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run as string], {
      cwd: repoRoot,
      env: { ...process.env, ...options.runner, ...env, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
      const outputs = Object.fromEntries(
        read(outputFile)
          .split("\n")
          .filter((line) => line.includes("="))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      const result = { code: code ?? 1, stdout, stderr, summary: read(summaryFile), outputs, seconds: (performance.now() - started) / 1000 };
      rmSync(work, { recursive: true, force: true });
      resolveStep(result);
    });
  });
}
