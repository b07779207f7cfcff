/**
 * Rollgate's benchmarks (issue #8): `npm run bench [-- --quick] [--runs N]
 * [--concurrency N] [--only a,b] [--out FILE]`. Runs against the local
 * cluster with a backend, state directory, stack and namespace of its own,
 * prints a markdown report on stdout (progress on stderr) and writes the
 * results as JSON. Exits non-zero only on errors, never on a missed goal.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { kubeClients } from "../test/support/kube";
import { PreviewBackend } from "../test/support/previewStacks";
import { destroyThroughService, RollgateApi, RollgateProcess } from "../test/support/rollgateService";
import { Cleanup } from "./lib/cleanup";
import { BenchContext, SCENARIOS, type ScenarioName, type Settings } from "./lib/context";
import { BenchEnvironment, repoRoot } from "./lib/environment";
import { deployEnvironmentStack } from "./lib/environmentStack";
import { evaluateGoals } from "./lib/goals";
import { machineInfo, versions } from "./lib/machine";
import { previewsOf } from "./lib/previews";
import { progress } from "./lib/progress";
import { renderReport, type BenchResults } from "./lib/report";
import { ratio } from "./lib/stats";
import { concurrentPreviews } from "./scenarios/concurrency";
import { idleFootprint } from "./scenarios/footprint";
import { cliPreviewLifecycle } from "./scenarios/previewCli";
import { previewLifecycle } from "./scenarios/previewLifecycle";
import { MetricsFixture, rollbackScenario } from "./scenarios/rollback";
import { cliWeightSteps, rollgateWeightSteps } from "./scenarios/weightStep";
import { replicaScenarios } from "./scenarios/replicas";
import { backendComparison } from "./scenarios/backends";
import { argoRolloutsScenario } from "./scenarios/argoRollouts";
import { supplyChainVerification } from "./scenarios/supplyChain";
import { abortScenario } from "./scenarios/abort";
import { scalingCurve } from "./scenarios/scaling";

const ROUTERS = ["gateway-api", "nginx", "istio"] as const;
const USAGE = `usage: npm run bench [-- --quick] [--runs N] [--concurrency N] [--only ${SCENARIOS.join(",")}] [--router ${ROUTERS.join("|")}] [--out FILE]`;
/** The service's default operation limit (ROLLGATE_MAX_CONCURRENT_OPERATIONS), recorded with the results. */
const MAX_CONCURRENT_OPERATIONS = 2;

const count = (max: number) => z.coerce.number().int().min(1).max(max);
const ArgsSchema = z
  .object({
    quick: z.boolean().default(false),
    runs: count(19).optional(),
    concurrency: count(20).optional(),
    only: z
      .string()
      .transform((list) => list.split(",").map((name) => name.trim()).filter(Boolean))
      .pipe(z.array(z.enum(SCENARIOS)).min(1))
      .optional(),
    router: z.enum(ROUTERS).default("gateway-api"),
    out: z.string().min(1).optional(),
    help: z.boolean().default(false),
  })
  .strict();

function parseSettings(argv: readonly string[]): (Settings & { out: string }) | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean" },
      runs: { type: "string" },
      concurrency: { type: "string" },
      only: { type: "string" },
      router: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("; "));
  }
  const args = parsed.data;
  if (args.help) return undefined;
  return {
    quick: args.quick,
    runs: args.runs ?? (args.quick ? 2 : 5),
    concurrency: args.concurrency ?? (args.quick ? 3 : 10),
    scenarios: new Set<ScenarioName>(args.only ?? SCENARIOS),
    router: args.router,
    out: resolve(args.out ?? join(__dirname, "results", args.quick ? "quick.json" : "latest.json")),
  };
}

async function scenario(ctx: BenchContext, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = (error as Error).message;
    ctx.errors.push({ scenario: name, message });
    progress(`${name} FAILED: ${message}`);
  }
}

async function runBench(settings: Settings, ctx: BenchContext): Promise<void> {
  const wants = (name: ScenarioName) => settings.scenarios.has(name);
  const needsStack = wants("weight-step") || wants("abort") || wants("rollback") || wants("replicas");

  let metrics: MetricsFixture | undefined;
  if (wants("rollback")) {
    metrics = new MetricsFixture();
    const fixture = metrics;
    ctx.cleanup.defer("stop Prometheus and the sample apps", () => fixture.stop());
    progress(`rollback fixture: Prometheus at ${await metrics.start()} scraping the sample app's stable and canary tracks`);
  }
  if (wants("supply-chain")) await scenario(ctx, "supply-chain", () => supplyChainVerification(ctx));
  if (needsStack) await deployEnvironmentStack(ctx);
  if (wants("weight-step")) await scenario(ctx, "weight-step (CLI)", () => cliWeightSteps(ctx));
  if (wants("backends")) await scenario(ctx, "backends", () => backendComparison(ctx));
  if (wants("preview-lifecycle")) await scenario(ctx, "preview-lifecycle (CLI)", () => cliPreviewLifecycle(ctx));
  if (wants("scaling")) await scenario(ctx, "scaling", () => scalingCurve(ctx));
  // Before the service starts: the controller and Rollgate's engine would otherwise share the 2 cores.
  if (wants("argo-rollouts")) await scenario(ctx, "argo-rollouts", () => argoRolloutsScenario(ctx));
  if (needsStack) await ctx.env.pushStackConfig();

  const backend = new PreviewBackend();
  ctx.cleanup.defer("remove leftover preview stacks and namespaces", async () => {
    const leftovers = await backend.cleanUp([...previewsOf(ctx)], ctx.kube);
    backend.dispose();
    if (leftovers.length > 0) progress(`cleanup: removed leftovers ${leftovers.join(", ")}`);
  });
  progress("starting the service");
  const service = await RollgateProcess.start(ctx.env.stateDir, { env: ctx.env.serviceEnv(metrics?.prometheus.url) });
  ctx.service = service;
  ctx.api = new RollgateApi(() => service.url, ctx.env.token);
  const api = ctx.api;
  ctx.cleanup.defer("stop the service", () => service.stop());
  ctx.cleanup.defer("destroy previews through the service", () => destroyThroughService(service, api, [...previewsOf(ctx)]));

  if (wants("footprint")) await scenario(ctx, "footprint", () => idleFootprint(ctx, "idle"));
  if (wants("weight-step")) await scenario(ctx, "weight-step (Rollgate)", () => rollgateWeightSteps(ctx));
  if (wants("abort")) await scenario(ctx, "abort", () => abortScenario(ctx));
  if (wants("rollback") && metrics) {
    const fixture = metrics;
    await scenario(ctx, "rollback", () => rollbackScenario(ctx, fixture));
  }
  if (wants("preview-lifecycle")) await scenario(ctx, "preview-lifecycle", () => previewLifecycle(ctx));
  if (wants("concurrency")) await scenario(ctx, "concurrency", () => concurrentPreviews(ctx));
  if (wants("footprint")) await scenario(ctx, "footprint", () => idleFootprint(ctx, "idleAfterRun"));
  // Last: it kills and restarts the service under test.
  if (wants("replicas")) await scenario(ctx, "replicas", () => replicaScenarios(ctx));
}

export async function main(argv: readonly string[]): Promise<number> {
  let settings: (Settings & { out: string }) | undefined;
  try {
    settings = parseSettings(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!settings) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  for (const name of ["PULUMI_HOME", "KUBECONFIG"]) {
    if (!process.env[name]) {
      process.stderr.write(`bench: ${name} is unset; run through \`npm run bench\`, which sources scripts/env.sh\n`);
      return 2;
    }
  }

  const startedAt = new Date();
  const machine = machineInfo();
  const env = new BenchEnvironment();
  const cleanup = new Cleanup();
  cleanup.defer(`remove ${env.root} and the benchmark's database`, () => env.remove());
  const ctx = new BenchContext(env, cleanup, settings, kubeClients());
  const interrupted = (signal: NodeJS.Signals) => {
    progress(`${signal}: cleaning up before exiting`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);

  await env.open();
  progress(`mode ${settings.quick ? "quick" : "full"}: ${settings.runs} runs, ${settings.concurrency} concurrent previews, scenarios ${[...settings.scenarios].join(", ")}; work dir ${env.root}`);
  try {
    await runBench(settings, ctx);
  } catch (error) {
    ctx.errors.push({ scenario: "setup", message: (error as Error).message });
    progress(`setup FAILED: ${(error as Error).message}`);
    if (ctx.service) progress(`service log tail:\n${ctx.service.describe(20)}`);
  }
  const failedCleanups = await cleanup.runAll();
  for (const name of failedCleanups) ctx.errors.push({ scenario: "cleanup", message: `${name} failed` });

  const finishedAt = new Date();
  const results: BenchResults = {
    schema: 1,
    mode: settings.quick ? "quick" : "full",
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: { ...machine, loadAverageAtEnd: machineInfo().loadAverage },
    versions: await versions(repoRoot),
    settings: { runs: settings.runs, concurrency: settings.concurrency, scenarios: [...settings.scenarios], router: settings.router, maxConcurrentOperations: MAX_CONCURRENT_OPERATIONS },
    figures: ctx.figures,
    ratios: {
      "weightStep.cliOverRollgate": ratio(ctx.figures["weightStep.cli"]?.median, ctx.figures["weightStep.rollgate"]?.median) ?? null,
      "preview.createRollgateOverCli": ratio(ctx.figures["preview.createToReady"]?.median, ctx.figures["preview.cli.createToReady"]?.median) ?? null,
      "concurrency.wallOverSingleCreate": ratio(ctx.figures["concurrency.createAllWall"]?.median, ctx.figures["preview.createToReady"]?.median) ?? null,
      "backends.weightStep.postgresOverFile": ratio(ctx.figures["backends.postgres.weightStep"]?.median, ctx.figures["backends.file.weightStep"]?.median) ?? null,
      "backends.stackCreate.postgresOverFile": ratio(ctx.figures["backends.postgres.stackCreate"]?.median, ctx.figures["backends.file.stackCreate"]?.median) ?? null,
      "argo.weightStep.argoOverRollgate": ratio(ctx.figures["argo.weightStep"]?.median, ctx.figures["weightStep.rollgate"]?.median) ?? null,
      "argo.abort.argoOverRollgate": ratio(ctx.figures["argo.abort"]?.median, ctx.figures["abort.rollgate"]?.median) ?? null,
    },
    goals: evaluateGoals(ctx.figures),
    profile: ctx.profile,
    errors: ctx.errors,
  };
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(settings.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport(results));
  progress(`results written to ${settings.out}`);
  return ctx.errors.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
