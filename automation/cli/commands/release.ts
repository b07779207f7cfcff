/** `rollgate release start|status|promote|abort|pause|resume|approve|reject`. */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_STEP_WEIGHTS, MAX_PAUSE_SECONDS, stepWeightProblems } from "../../release/steps";
import type { ReleaseCommand } from "../../release/stateMachine";
import { describeStep } from "../../release/stepRouting";
import { CommitSha } from "../../schemas/common";
import { describeVerdict } from "../../supplyChain/describeVerdict";
import { ImageReference } from "../../schemas/imageReference";
import { EnvironmentName, ReleaseId, ReleasePageSchema, ReleaseSchema, StartedReleaseSchema } from "../../schemas/releases";
import { duration } from "../args";
import type { Release, RollgateClient } from "../client";
import { dashboardLink, json, table } from "../output";
import { outcome, releaseExitCode, stepLabel } from "../releaseProgress";
import { defineCommand, exitCodes, type CliContext, type Command, type CommandGroup } from "../types";
import { followRelease } from "../wait";

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
const wait = z.boolean().optional().describe("follow the release until it finishes; exit 0 only when it succeeds");
const timeoutFlag = (mode: "--wait" | "--watch") =>
  duration({ min: 1, max: 7 * 24 * 3600 })
    .optional()
    .describe(`with ${mode}: stop after this long, e.g. 900, 15m, 1h30m (exit 4)`);

const api = {
  start: (client: RollgateClient, body: unknown) => client.request("POST", "/api/v1/releases", StartedReleaseSchema, body),
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
    pause: duration({ min: 0, max: MAX_PAUSE_SECONDS })
      .optional()
      .describe("how long each step holds its weight before analysis, e.g. 60, 90s, 5m (default 5m)"),
    sha: CommitSha.optional().describe("full 40-hex commit SHA"),
    analysisFile: z.string().min(1).optional().describe("JSON file with the analysis settings (thresholds, queries, counts)"),
    wait,
    timeout: timeoutFlag("--wait"),
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
    return followToEnd(context, started.id, flags.timeout);
  },
});

const status = defineCommand({
  summary: "show a release (--id), the latest release of an environment (--env), or list all releases; --watch follows one to its end",
  flags: z.object({
    id: id.optional(),
    env: env.optional(),
    watch: z.boolean().optional().describe("with --id or --env: follow the release until it ends, one line per change; exit 0 only when it succeeds"),
    timeout: timeoutFlag("--watch"),
  }),
  async run(flags, context) {
    const problem =
      flags.id !== undefined && flags.env !== undefined
        ? "give --id or --env, not both"
        : flags.watch && flags.id === undefined && flags.env === undefined
          ? "--watch needs --id or --env"
          : !flags.watch && flags.timeout !== undefined
            ? "--timeout needs --watch"
            : undefined;
    if (problem !== undefined) {
      context.io.stderr(`error: ${problem}\n`);
      return exitCodes.usage;
    }
    if (flags.id === undefined && flags.env === undefined) {
      const releases = await api.list(context.client);
      const rows = releases.map((r) => [r.id, r.environment, r.status, stepLabel(r), `${r.weight}%`, r.image, r.startedAt]);
      print(context, releases, releases.length === 0 ? "no releases" : table(["ID", "ENVIRONMENT", "STATUS", "STEP", "WEIGHT", "IMAGE", "STARTED"], rows));
      return exitCodes.ok;
    }
    const releaseId = flags.id ?? (await api.list(context.client, flags.env))[0]?.id;
    if (releaseId === undefined) {
      context.io.stderr(`error: no releases in environment ${flags.env}\n`);
      return exitCodes.failed;
    }
    if (flags.watch) return followToEnd(context, releaseId, flags.timeout);
    const release = await context.client.getRelease(releaseId);
    print(context, release, describeRelease(release, context.client.baseUrl));
    return exitCodes.ok;
  },
});

/** A command that changes the course of a release; with `--wait`, follows it to its end. */
function steering(command: Exclude<ReleaseCommand, "pause">, summary: string): Command {
  return defineCommand({
    summary,
    flags: z.object({ id, reason, wait, timeout: timeoutFlag("--wait") }),
    async run(flags, context) {
      const release = await api.command(context.client, flags.id, command, flags.reason);
      if (!flags.wait) return accepted(context, command, release);
      return followToEnd(context, release.id, flags.timeout);
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

function accepted(context: CliContext, command: ReleaseCommand, release: Release): number {
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
    approve: steering("approve", "approve a release awaiting approval (needs approve:<environment>; not the token that started it)"),
    reject: steering("reject", "reject a release awaiting approval; it ends aborted (rolled back first when it waited to be promoted)"),
  },
};

function print(context: CliContext, data: unknown, text: string): void {
  context.io.stdout(`${context.json ? json(data) : text}\n`);
}

/** Follows the release to its end (or the timeout), progress on stderr; the final line and the exit code after it. */
async function followToEnd(context: CliContext, releaseId: string, timeoutSeconds: number | undefined): Promise<number> {
  context.io.stderr(`dashboard: ${dashboardLink(context.client.baseUrl, releaseId)}\n`);
  const release = await followRelease(context.client, releaseId, {
    intervalMs: context.pollIntervalMs,
    progress: (line) => context.io.stderr(`${line}\n`),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
  });
  print(context, release, outcome(release, timeoutSeconds));
  return releaseExitCode(release);
}

function approvalLine(release: Release, approval: Release["approval"]): string | null {
  if (!approval) return null;
  if (approval.decision) return `${approval.decision} by ${approval.decidedBy ?? "?"} at ${approval.decidedAt ?? "?"}`;
  return `waiting for a second person (approve:${release.environment}) until ${approval.expiresAt}`;
}

function supplyChainLine(release: Release): string | null {
  return release.supplyChain ? describeVerdict(release.supplyChain) : null;
}

function describeRelease(release: Release, baseUrl: string): string {
  const rows: [string, string | null][] = [
    ["id", release.id],
    ["environment", release.environment],
    ["status", release.status],
    ["image", release.image],
    ["previous image", release.previousImage],
    ["commit", release.commitSha],
    ["step", `${stepLabel(release)}${release.step >= release.stepCount ? " (all passed)" : ""}`],
    ["weight", `${release.weight}%`],
    ["steps", release.steps.map((step, index) => `${describeStep(release.steps, index)} for ${step.pauseSeconds}s`).join(", ")],
    ["risk", release.risk ? `${release.risk.level} (score ${release.risk.score}); ${release.risk.plan.why}` : null],
    ["approval", approvalLine(release, release.approval)],
    ["promotion", approvalLine(release, release.promotionApproval)],
    ["supply chain", supplyChainLine(release)],
    ["pending", release.pending ? `${release.pending.action} by ${release.pending.actor}: ${release.pending.reason}` : null],
    ["started", release.startedAt],
    ["finished", release.finishedAt],
    ["actor", release.actor],
    ["reason", release.reason],
    ["dashboard", dashboardLink(baseUrl, release.id)],
  ];
  const lines = rows.filter(([, value]) => value !== null).map(([label, value]) => `${`${label}:`.padEnd(16)}${value}`);
  const reasons = release.risk?.reasons.filter((reason) => reason.points > 0 || reason.forcesHigh) ?? [];
  if (reasons.length > 0) {
    lines.push("risk reasons:");
    for (const reason of reasons) lines.push(`  ${reason.signal}: ${reason.detail}${reason.forcesHigh ? " (forces high)" : ` (+${reason.points})`}`);
  }
  if (release.analysis.length > 0) {
    lines.push("analysis:");
    for (const record of release.analysis) lines.push(`  step ${record.step + 1} ${record.metric}: ${record.phase} (${record.detail})`);
  }
  return lines.join("\n");
}
