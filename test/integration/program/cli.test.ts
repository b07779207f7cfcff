/**
 * The same program through the project's own `pulumi` CLI (Pulumi.yaml →
 * nodejs language host → infra/index.ts): a throwaway copy of the dev stack
 * is deployed, given a canary with `pulumi config set`, and destroyed.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendWeights, readHttpRoute } from "../../support/gatewayApi";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { Timings } from "../../support/timing";
import { deploymentAvailable } from "../../support/workloads";

const run = promisify(execFile);
const projectDir = resolve(__dirname, "../../..");
const stack = `it-cli-${process.pid}`;
const namespace = `it-cli-${process.pid}`;
const stackFile = resolve(projectDir, "stacks", `Pulumi.${stack}.yaml`);
const app = "sample-app";
const stableName = `${app}-stable`;
const canaryName = `${app}-canary`;

/** Runs `pulumi <args> --stack <stack>` in the project; fails with the CLI's output. */
async function pulumi(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("pulumi", [...args, "--stack", stack, "--non-interactive", "--color", "never"], {
      cwd: projectDir,
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`pulumi ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

async function stackExists(): Promise<boolean> {
  const { stdout } = await run("pulumi", ["stack", "ls", "--json"], { cwd: projectDir, env: process.env });
  return (JSON.parse(stdout) as { name: string }[]).some((summary) => summary.name === stack);
}

/** Resource changes of the stack's latest update, from `pulumi stack history`. */
async function lastChanges(): Promise<Record<string, number>> {
  const history = JSON.parse(await pulumi("stack", "history", "--json")) as {
    resourceChanges?: Record<string, number>;
  }[];
  return history[0]?.resourceChanges ?? {};
}

/** `stacks/Pulumi.dev.yaml` with this test's namespace and host name. */
function writeStackFile(): void {
  const devFile = resolve(projectDir, "stacks/Pulumi.dev.yaml");
  const dev = load(readFileSync(devFile, "utf8")) as { config: Record<string, unknown> };
  const config = {
    ...dev.config,
    "rollgate:namespace": namespace,
    "rollgate:hostnames": [`${namespace}.rollgate.localhost`],
  };
  const header = `# Throwaway copy of Pulumi.dev.yaml for ${__filename}; the test deletes it.\n`;
  writeFileSync(stackFile, `${header}${dump({ config })}`);
}

describe("pulumi up through the project's CLI toolchain", () => {
  const { core, apps, custom } = kubeClients();
  const timings = new Timings("cli");
  const route = () => readHttpRoute(custom, namespace, app);

  beforeAll(async () => {
    writeStackFile();
    // --no-select: the project's current stack belongs to the developer, not to this test.
    await pulumi("stack", "init", "--no-select");
  });

  afterAll(async () => {
    try {
      if (await stackExists()) await pulumi("destroy", "--yes", "--skip-preview", "--remove");
    } finally {
      rmSync(stackFile, { force: true });
      console.info(`[timing] summary\n${timings.summary()}`);
    }
  });

  it("deploys the dev stack's release with all traffic on stable", async () => {
    await timings.measure("up (create)", () => pulumi("up", "--yes", "--skip-preview"));
    expect(await deploymentAvailable(apps, namespace, stableName)).toBe(true);
    const { spec } = await route();
    expect(spec.hostnames).toEqual([`${namespace}.rollgate.localhost`]);
    expect(spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "rollgate-gateway", namespace: "rollgate-system" },
    ]);
    expect(backendWeights(await route())).toEqual({ [stableName]: 100 });
    expect(JSON.parse(await pulumi("stack", "output", "--json"))).toMatchObject({
      environment: "staging",
      namespace,
      url: `http://${namespace}.rollgate.localhost`,
      stableWeight: 100,
      canaryWeight: 0,
    });
  });

  it("moves 25 % to a canary set with `pulumi config set`", async () => {
    await pulumi("config", "set", "rollgate:canaryImage", "ghcr.io/rollgate/sample-app:1.1.0");
    await pulumi("config", "set", "rollgate:canaryWeight", "25");
    await timings.measure("up (canary created, weight 25)", () => pulumi("up", "--yes", "--skip-preview"));
    expect(await deploymentAvailable(apps, namespace, canaryName)).toBe(true);
    expect(backendWeights(await route())).toEqual({ [stableName]: 75, [canaryName]: 25 });
  });

  it("changes only the HTTPRoute on a weight-only update", async () => {
    await pulumi("config", "set", "rollgate:canaryWeight", "50");
    await timings.measure("up (weight-only, 25 → 50)", () => pulumi("up", "--yes", "--skip-preview"));
    expect(backendWeights(await route())).toEqual({ [stableName]: 50, [canaryName]: 50 });
    const changes = await lastChanges();
    expect(changes.update).toBe(1);
    expect(Object.keys(changes).sort()).toEqual(["same", "update"]);
  });

  it("destroys everything and removes the stack", async () => {
    await timings.measure("destroy --remove", () => pulumi("destroy", "--yes", "--skip-preview", "--remove"));
    expect(await eventually(() => namespaceGone(core, namespace), 120_000)).toBe(true);
    expect(await stackExists()).toBe(false);
  });
});
