/** `rollgate release start|status|promote|abort|pause|resume`. */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { DEFAULT_STEP_WEIGHTS, MAX_PAUSE_SECONDS, stepWeightProblems } from "../../release/steps";
import { isTerminal, type ReleaseCommand } from "../../release/stateMachine";
import { CommitSha } from "../../schemas/common";
import { ImageReference } from "../../schemas/imageReference";
import { EnvironmentName, ReleaseId, ReleasePageSchema, ReleaseSchema, StartedReleaseSchema } from "../../schemas/releases";
import type { RollgateClient } from "../client";
import { json, table } from "../output";
import { defineCommand, exitCodes, type CliContext, type Command, type CommandGroup } from "../types";

export type ReleaseBody = z.output<typeof ReleaseSchema>;

const seconds = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^[0-9]+$/, `must be a whole number of seconds`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .describe(what);

/** `5,25,50,100` → `[5, 25, 50, 100]`, checked as the server checks step weights. */
const weights = z
  .string()
  .transform((text, ctx) => {
    const parts = text.split(",").map((part) => part.trim());
    if (!parts.every((part) => /^[0-9]{1,3}$/.test(part))) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be comma-separated whole percentages, e.g. 5,25,50,100" });
      return z.NEVER;
    }
    const values = parts.map(Number);
    const problems = stepWeightProblems(values);
    if (problems.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: problems.map((problem) => (problem.kind === "count" ? problem.message : `step ${problem.index + 1} ${problem.message}`)).join("; "),
      });
      return z.NEVER;
    }
    return values;
  })
  .describe("canary weights in percent, strictly increasing (default 5,25,50,100)");

const id = ReleaseId.describe("release id");
const env = EnvironmentName.describe("environment (its release stack), e.g. staging");
const reason = z.string().min(1).max(500).optional().describe("reason recorded with the command");
const wait = z.boolean().optional().describe("follow the release until it finishes; exit 1 unless it succeeds");
const timeout = seconds(1, 7 * 24 * 3600, "with --wait: stop waiting after this many seconds (exit 1)").optional();

const api = {
  start: (client: RollgateClient, body: unknown) => client.request("POST", "/api/v1/releases", StartedReleaseSchema, body),
  get: (client: RollgateClient, releaseId: string) => client.request("GET", `/api/v1/releases/${encodeURIComponent(releaseId)}`, ReleaseSchema),
  list: (client: RollgateClient, environment?: string) =>
    client.allPages(
      `/api/v1/releases${environment === undefined ? "" : `?environment=${encodeURIComponent(environment)}`}`,
      ReleasePageSchema,
      (page) => page.releases,
    ),
  command: (client: RollgateClient, releaseId: string, command: ReleaseCommand, why?: string) =>
    client.request("POST", `/api/v1/releases/${encodeURIComponent(releaseId)}/${command}`, ReleaseSchema, why === undefined ? {} : { reason: why }),
};

const start = defineCommand({
  summary: "start a canary release of an image in an environment",
  flags: z.object({
    env,
    image: ImageReference.describe("OCI image reference to release"),
    steps: weights.optional(),
    pause: seconds(0, MAX_PAUSE_SECONDS, "seconds each step holds its weight before analysis (default 300)").optional(),
    sha: CommitSha.optional().describe("full 40-hex commit SHA"),
    analysisFile: z.string().min(1).optional().describe("JSON file with the analysis settings (thresholds, queries, counts)"),
    wait,
    timeout,
  }),
  async run(flags, context) {
    let analysis: unknown;
    if (flags.analysisFile !== undefined) {
      try {
        analysis = JSON.parse(readFileSync(flags.analysisFile, "utf8")) as unknown;
      } catch (err) {
        context.io.stderr(`error: --analysis-file: cannot read ${flags.analysisFile}: ${(err as Error).message}\n`);
        return exitCodes.usage;
      }
    }
    const stepWeights = flags.steps ?? (flags.pause === undefined ? undefined : DEFAULT_STEP_WEIGHTS);
    const started = await api.start(context.client, {
      environment: flags.env,
      image: flags.image,
      ...(flags.sha === undefined ? {} : { commitSha: flags.sha }),
      ...(stepWeights === undefined
        ? {}
        : { steps: stepWeights.map((weight) => ({ weight, ...(flags.pause === undefined ? {} : { pauseSeconds: flags.pause }) })) }),
      ...(analysis === undefined ? {} : { analysis }),
    });
    if (!flags.wait) {
      print(context, started, `release ${started.id} started in ${started.environment}: ${started.status}`);
      return exitCodes.ok;
    }
    return finish(context, await follow(context, started.id, flags.timeout), flags.timeout);
  },
});

const status = defineCommand({
  summary: "show a release (--id), the latest release of an environment (--env), or list all releases",
  flags: z.object({ id: id.optional(), env: env.optional() }),
  async run(flags, context) {
    if (flags.id !== undefined && flags.env !== undefined) {
      context.io.stderr("error: give --id or --env, not both\n");
      return exitCodes.usage;
    }
    if (flags.id !== undefined) {
      const release = await api.get(context.client, flags.id);
      print(context, release, describeRelease(release));
      return exitCodes.ok;
    }
    const releases = await api.list(context.client, flags.env);
    if (flags.env === undefined) {
      const rows = releases.map((r) => [r.id, r.environment, r.status, stepLabel(r), `${r.weight}%`, r.image, r.startedAt]);
      print(context, releases, releases.length === 0 ? "no releases" : table(["ID", "ENVIRONMENT", "STATUS", "STEP", "WEIGHT", "IMAGE", "STARTED"], rows));
      return exitCodes.ok;
    }
    const latest = releases[0];
    if (!latest) {
      context.io.stderr(`error: no releases in environment ${flags.env}\n`);
      return exitCodes.failed;
    }
    const release = await api.get(context.client, latest.id);
    print(context, release, describeRelease(release));
    return exitCodes.ok;
  },
});

/** A command that changes the course of a release; with `--wait`, follows it to its end. */
function steering(command: Exclude<ReleaseCommand, "pause">, summary: string): Command {
  return defineCommand({
    summary,
    flags: z.object({ id, reason, wait, timeout }),
    async run(flags, context) {
      const release = await api.command(context.client, flags.id, command, flags.reason);
      if (!flags.wait) return accepted(context, command, release);
      return finish(context, await follow(context, release.id, flags.timeout), flags.timeout);
    },
  });
}

const pause = defineCommand({
  summary: "hold the release before its next weight raise (or promotion)",
  flags: z.object({ id, reason }),
  async run(flags, context) {
    return accepted(context, "pause", await api.command(context.client, flags.id, "pause", flags.reason));
  },
});

function accepted(context: CliContext, command: ReleaseCommand, release: ReleaseBody): number {
  print(context, release, `release ${release.id}: ${command} accepted (${release.status}, step ${stepLabel(release)}, weight ${release.weight}%)`);
  return exitCodes.ok;
}

export const releaseCommands: CommandGroup = {
  name: "release",
  summary: "canary releases to environments",
  commands: {
    start,
    status,
    promote: steering("promote", "promote now: skip the remaining steps, stable takes the canary's image"),
    abort: steering("abort", "abort: traffic back to stable first, then the canary is removed; the release ends aborted"),
    pause,
    resume: steering("resume", "continue a paused release"),
  },
};

function print(context: CliContext, data: unknown, text: string): void {
  context.io.stdout(`${context.json ? json(data) : text}\n`);
}

/** Polls the release until it finishes (or `timeoutSeconds` pass), printing progress on stderr. */
async function follow(context: CliContext, releaseId: string, timeoutSeconds?: number): Promise<ReleaseBody> {
  const deadline = timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000;
  const progress = new ReleaseProgress();
  for (;;) {
    const release = await api.get(context.client, releaseId);
    for (const line of progress.update(release)) context.io.stderr(`${line}\n`);
    if (isTerminal(release.status)) return release;
    if (deadline !== undefined && Date.now() >= deadline) return release;
    await sleep(context.pollIntervalMs);
  }
}

/** The final line, and the exit code a CI job goes by: 0 only when the release succeeded. */
function finish(context: CliContext, release: ReleaseBody, timeoutSeconds: number | undefined): number {
  print(context, release, outcome(release, timeoutSeconds));
  return release.status === "succeeded" ? exitCodes.ok : exitCodes.failed;
}

export function outcome(release: ReleaseBody, timeoutSeconds?: number): string {
  const head = `release ${release.id}`;
  const why = release.reason ? `: ${release.reason}` : "";
  switch (release.status) {
    case "succeeded":
      return `${head} succeeded: ${release.environment} runs ${release.image}`;
    case "rolledBack":
      return `${head} rolled back${why}; ${release.environment} still runs ${release.previousImage}`;
    case "aborted":
      return `${head} aborted${why}; ${release.environment} still runs ${release.previousImage}`;
    case "failed":
      return `${head} failed${why}`;
    default:
      return `${head} is still ${release.status} after ${timeoutSeconds ?? "?"}s (step ${stepLabel(release)}, weight ${release.weight}%)${why}`;
  }
}

/**
 * Turns successive views of a release into progress lines: status changes,
 * pending commands, one header per step reached (with its weight) and each
 * new measurement. Works however far apart the polls are: steps and
 * measurements come from the record, not from what was seen in between.
 */
export class ReleaseProgress {
  private status: string | undefined;
  private pending: string | undefined;
  private records = 0;
  private readonly headers = new Set<number>();

  update(release: ReleaseBody): string[] {
    const lines: string[] = [];
    const finished = isTerminal(release.status);
    const statusLine = release.status === this.status ? undefined : `release ${release.id} (${release.environment}): ${release.status}${release.reason ? `: ${release.reason}` : ""}`;
    this.status = release.status;
    if (statusLine && !finished) lines.push(statusLine);

    for (const record of release.analysis.slice(this.records)) {
      this.header(release, record.step, lines);
      lines.push(`  ${record.metric}: ${record.phase} (${record.detail})`);
    }
    this.records = Math.max(this.records, release.analysis.length);
    const current = release.steps[release.step];
    if (!finished && current && release.weight === current.weight) this.header(release, release.step, lines);

    const pending = release.pending ? `  ${release.pending.action} requested by ${release.pending.actor}: ${release.pending.reason}` : undefined;
    if (pending && pending !== this.pending) lines.push(pending);
    this.pending = pending;

    if (statusLine && finished) lines.push(statusLine);
    return lines;
  }

  private header(release: ReleaseBody, step: number, lines: string[]): void {
    if (this.headers.has(step)) return;
    this.headers.add(step);
    lines.push(`step ${step + 1}/${release.steps.length}: canary at ${release.steps[step]?.weight ?? "?"}%`);
  }
}

function stepLabel(release: { readonly step: number; readonly stepCount: number }): string {
  return `${Math.min(release.step + 1, release.stepCount)}/${release.stepCount}`;
}

function describeRelease(release: ReleaseBody): string {
  const rows: [string, string | null][] = [
    ["id", release.id],
    ["environment", release.environment],
    ["status", release.status],
    ["image", release.image],
    ["previous image", release.previousImage],
    ["commit", release.commitSha],
    ["step", `${stepLabel(release)}${release.step >= release.stepCount ? " (all passed)" : ""}`],
    ["weight", `${release.weight}%`],
    ["steps", release.steps.map((step) => `${step.weight}% for ${step.pauseSeconds}s`).join(", ")],
    ["pending", release.pending ? `${release.pending.action} by ${release.pending.actor}: ${release.pending.reason}` : null],
    ["started", release.startedAt],
    ["finished", release.finishedAt],
    ["actor", release.actor],
    ["reason", release.reason],
  ];
  const lines = rows.filter(([, value]) => value !== null).map(([label, value]) => `${`${label}:`.padEnd(16)}${value}`);
  if (release.analysis.length > 0) {
    lines.push("analysis:");
    for (const record of release.analysis) lines.push(`  step ${record.step + 1} ${record.metric}: ${record.phase} (${record.detail})`);
  }
  return lines.join("\n");
}
