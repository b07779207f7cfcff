/**
 * Scaling curve: how an update and a stack create grow with the stacks in the
 * backend (1, 10, 50; `--quick`: 1, 10) and the resources in the stack (1, 5,
 * 20), through Rollgate's engine (`LocalStackEngine`, the service's, on the
 * benchmark's `postgres://` backend and cluster).
 *
 * The program is the benchmark's own, not Rollgate's: Rollgate's program has a
 * fixed set of resources, so the resource dimension needs one whose count is a
 * knob. Each stack is a Namespace plus `resources - 1` ConfigMaps in it; an
 * update changes one label of the Namespace (a one-value change, as a weight
 * step is), a create makes them all. Filler stacks hold no resources (only
 * Pulumi's root Stack) and exist so the backend has that many stacks. No
 * policy pack runs: the figures are the engine's and the backend's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalStackEngine } from "../../automation/engine/localStackEngine";
import type { BenchContext } from "../lib/context";
import { progress, secondsSince } from "../lib/progress";

const RESOURCE_COUNTS = [1, 5, 20] as const;
const STACK_COUNTS = { full: [1, 10, 50], quick: [1, 10] } as const;
const PROJECT = "rollgate-bench-scaling";

async function scalingProgram(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config("scale");
  const resources = config.requireNumber("resources");
  if (resources === 0) return {};
  const name = `${pulumi.getStack()}-${process.pid}`.slice(0, 63);
  const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name, labels: { "rollgate.dev/bench-value": config.require("value") } } });
  for (let index = 1; index < resources; index++) {
    new k8s.core.v1.ConfigMap(`config-${index}`, { metadata: { name: `config-${index}`, namespace: namespace.metadata.name }, data: { index: String(index) } });
  }
  return { namespace: namespace.metadata.name };
}

export async function scalingCurve(ctx: BenchContext): Promise<void> {
  const workspaces = mkdtempSync(join(ctx.env.root, "scaling-"));
  const engine = new LocalStackEngine({ program: scalingProgram, projectName: PROJECT, workspacesDir: workspaces });
  const stacks: string[] = [];
  ctx.cleanup.defer("destroy the scaling stacks", async () => {
    for (const stack of stacks.splice(0)) await engine.destroy(stack).catch(() => undefined);
    rmSync(workspaces, { recursive: true, force: true });
  });

  const fillers: string[] = [];
  for (const stackCount of ctx.settings.quick ? STACK_COUNTS.quick : STACK_COUNTS.full) {
    while (fillers.length < stackCount - 1) {
      const filler = `filler-${fillers.length + 1}`;
      stacks.push(filler);
      await engine.up(filler, { "scale:resources": { value: "0" } });
      fillers.push(filler);
    }
    progress(`scaling: ${stackCount} stack(s) in the backend`);
    for (const resources of RESOURCE_COUNTS) await measureCell(ctx, engine, stacks, stackCount, resources);
  }
}

/** One stack with `resources` resources beside `stackCount - 1` others: its create, `runs` one-value updates, its destroy. */
async function measureCell(ctx: BenchContext, engine: LocalStackEngine, stacks: string[], stackCount: number, resources: number): Promise<void> {
  const stack = `s${stackCount}-r${resources}`;
  const cell = `scaling.stacks${stackCount}.resources${resources}`;
  stacks.push(stack);
  let started = performance.now();
  await engine.up(stack, { "scale:resources": { value: String(resources) }, "scale:value": { value: "0" } });
  const create = secondsSince(started);

  const updates: number[] = [];
  for (let run = 1; run <= ctx.settings.runs; run++) {
    started = performance.now();
    await engine.up(stack, { "scale:value": { value: String(run) } });
    updates.push(secondsSince(started));
  }

  started = performance.now();
  await engine.destroy(stack);
  stacks.splice(stacks.indexOf(stack), 1);
  const destroy = secondsSince(started);

  ctx.record(`${cell}.create`, [create], "s");
  ctx.record(`${cell}.update`, updates, "s");
  ctx.record(`${cell}.destroy`, [destroy], "s");
  const median = ctx.figures[`${cell}.update`]?.median;
  progress(`scaling: ${stackCount} stacks, ${resources} resources: create ${create.toFixed(2)} s, update median ${median?.toFixed(2) ?? "?"} s, destroy ${destroy.toFixed(2)} s`);
}
