/**
 * Pulumi state backends side by side: the same CLI operations against the
 * `postgres://` backend (Rollgate's default; the benchmark's database) and
 * against `file://` (a scratch directory), interleaved run by run so both see
 * the same machine load. Each backend gets stacks, apps and namespaces of its
 * own.
 *
 * - weight step: `pulumi config set rollgate:canaryWeight` + `pulumi up
 *   --skip-preview` on an environment stack, until the live HTTPRoute shows it;
 * - stack create: `pulumi stack init` + the first `up` of a new stack (its own
 *   namespace, stable Deployment, Service and HTTPRoute), which is what a
 *   preview create asks of the backend. Destroyed and removed afterwards, not
 *   timed.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { namespaceIsGone, whenWeight } from "../lib/cluster";
import type { BenchContext } from "../lib/context";
import { ENVIRONMENT, repoRoot, writeEnvironmentConfig } from "../lib/environment";
import { progress, secondsSince, sleep } from "../lib/progress";
import { PulumiCli } from "../lib/pulumiCli";
import { CANARY_IMAGE } from "../lib/releases";
import { weightSequence } from "../lib/weights";

const BACKENDS = ["postgres", "file"] as const;
type BackendKind = (typeof BACKENDS)[number];

interface Target {
  readonly environment: string;
  readonly app: string;
  readonly namespace: string;
  /** Both backends' stacks are on Gateway API: the comparison is of backends, not routers. */
  readonly router: "gateway-api";
}

class BackendStacks {
  constructor(
    private readonly ctx: BenchContext,
    readonly kind: BackendKind,
    private readonly backendUrl: string,
  ) {}

  /** A CLI on stack `stack` of this backend, with its config file and scratch project under the benchmark's root. */
  cli(stack: string): PulumiCli {
    const dir = join(this.ctx.env.root, "backends", this.kind, stack);
    mkdirSync(dir, { recursive: true });
    return new PulumiCli(repoRoot, stack, join(dir, `Pulumi.${stack}.yaml`), dir, { ...process.env, PULUMI_BACKEND_URL: this.backendUrl });
  }

  /** `stack init` + first `up` of `stack` deploying `target`; returns the seconds both took. */
  async create(cli: PulumiCli, target: Target): Promise<number> {
    if (!(await namespaceIsGone(this.ctx.kube, target.namespace))) throw new Error(`namespace ${target.namespace} already exists`);
    const started = performance.now();
    writeEnvironmentConfig(cli.configFile, await cli.init(), target);
    await cli.up();
    return secondsSince(started);
  }

  async remove(cli: PulumiCli, target: Target): Promise<void> {
    try {
      await cli.destroy();
      await cli.remove();
    } catch (error) {
      progress(`backends (${this.kind}): destroying ${cli.stack} failed, removing it by force: ${(error as Error).message.split("\n")[0]}`);
      await cli.cancel().catch(() => undefined);
      await cli.remove(true).catch(() => undefined);
      await this.ctx.kube.core.deleteNamespace({ name: target.namespace }).catch(() => undefined);
    }
    for (let wait = 0; wait < 120 && !(await namespaceIsGone(this.ctx.kube, target.namespace)); wait++) await sleep(500);
  }
}

const targetFor = (kind: BackendKind, name: string): Target => ({
  environment: ENVIRONMENT.environment,
  app: `bench-${kind}-${name}`,
  namespace: `rollgate-bench-${kind}-${name}`,
  router: "gateway-api",
});

export async function backendComparison(ctx: BenchContext): Promise<void> {
  const fileUrl = `file://${join(ctx.env.root, "backends", "file-state")}`;
  mkdirSync(join(ctx.env.root, "backends", "file-state"), { recursive: true });
  const backends = BACKENDS.map((kind) => new BackendStacks(ctx, kind, kind === "postgres" ? ctx.env.databaseUrl : fileUrl));
  const runs = ctx.settings.runs;

  progress(`backends: environment stack per backend (${BACKENDS.join(", ")}), first deploy and canary (not timed)`);
  const environments = backends.map((backend) => ({ backend, cli: backend.cli("environment"), target: targetFor(backend.kind, "env") }));
  for (const { backend, cli, target } of environments) {
    ctx.cleanup.defer(`destroy the ${backend.kind} backend's environment stack`, () => backend.remove(cli, target));
    await backend.create(cli, target);
  }

  const [first, ...weights] = weightSequence(runs + 1);
  for (const { cli } of environments) {
    await cli.configSet("rollgate:canaryImage", CANARY_IMAGE);
    await cli.configSet("rollgate:canaryWeight", String(first));
    await cli.up();
  }
  const steps: Record<BackendKind, number[]> = { postgres: [], file: [] };
  for (const [index, weight] of weights.entries()) {
    for (const { backend, cli, target } of index % 2 === 0 ? environments : [...environments].reverse()) {
      const started = performance.now();
      const live = whenWeight(ctx.kube, target, (w) => w === weight, { timeoutMs: 300_000, what: `${backend.kind} weight ${weight}%` });
      await cli.configSet("rollgate:canaryWeight", String(weight));
      await cli.up();
      const seconds = ((await live).at - started) / 1000;
      steps[backend.kind].push(seconds);
      progress(`backends: weight step ${index + 1}/${runs} on ${backend.kind}: ${seconds.toFixed(2)} s`);
    }
  }

  const creates: Record<BackendKind, number[]> = { postgres: [], file: [] };
  for (let run = 0; run < runs; run++) {
    for (const backend of run % 2 === 0 ? backends : [...backends].reverse()) {
      const target = targetFor(backend.kind, `pr${run}`);
      const cli = backend.cli(`pr-${run}`);
      const removeNow = ctx.cleanup.defer(`destroy ${backend.kind} stack pr-${run}`, () => backend.remove(cli, target));
      const seconds = await backend.create(cli, target);
      creates[backend.kind].push(seconds);
      progress(`backends: stack create ${run + 1}/${runs} on ${backend.kind}: ${seconds.toFixed(2)} s`);
      await removeNow();
    }
  }

  for (const kind of BACKENDS) {
    ctx.record(`backends.${kind}.weightStep`, steps[kind], "s");
    ctx.record(`backends.${kind}.stackCreate`, creates[kind], "s");
  }
}
