/**
 * The quality-gate steps of ci.yml and deploy.yml, run locally as the runner
 * runs them (the step's `run:` with its `env:`): the secret scan and the
 * policy gate on this repository, a policy violation failing the gate before
 * anything is deployed, and the staging deploy step refusing a violation by
 * itself before any resource changes (real engine, real cluster).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { dump, load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { loadWorkflow, needsOf, repoRoot, runStep, stepEnvironment, stepRunning, type StepResult } from "./workflowSteps";

const run = promisify(execFile);
const runId = process.pid;
const ci = loadWorkflow("ci.yml");
const deploy = loadWorkflow("deploy.yml");
const environments = ["preview", "staging", "production"] as const;
const headSha = "4f2d0c3b9a8e7f6d5c4b3a29180706f5e4d3c2b1";

const timings: string[] = [];
function timed(name: string, result: StepResult): StepResult {
  timings.push(`${name}: ${result.seconds.toFixed(1)}s`);
  return result;
}

afterAll(() => {
  console.info(`[timing] pipeline gates:\n  ${timings.join("\n  ")}`);
});

async function backendStacks(): Promise<string[]> {
  const { stdout } = await run("pulumi", ["stack", "ls", "--json"], { cwd: repoRoot, env: process.env });
  return (JSON.parse(stdout) as { name: string }[]).map((stack) => stack.name);
}

/** The policy-gate step of ci.yml for one matrix environment, as a pull request runs it. */
function policyGateEnv(environment: string, gateImage = ""): Record<string, string> {
  return stepEnvironment(stepRunning(ci, "policy-gate", "policy-gate.sh"), {
    ENVIRONMENT: environment,
    ROLLGATE_GATE_IMAGE: gateImage, // `inputs.gate-image`: empty on pull requests, the release image in deploy.yml
    ROLLGATE_GATE_PR: "42",
    ROLLGATE_GATE_SHA: headSha,
  });
}

describe("the checks job's secret scan", () => {
  it("passes on this repository", async () => {
    const step = stepRunning(ci, "checks", "secret-scan.sh");

    const result = timed("secret scan", await runStep(step, stepEnvironment(step, {})));

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.summary).toContain("### Secret scan: passed");
  });
});

describe("the policy-gate job", () => {
  it.each(environments)("passes the %s environment of this repository without touching stacks/ or the backend", async (environment) => {
    const before = await backendStacks();
    const stacksBefore = readFileSync(resolve(repoRoot, "stacks/Pulumi.staging.yaml"), "utf8");

    const result = timed(`gate ${environment}`, await runStep(stepRunning(ci, "policy-gate", "policy-gate.sh"), policyGateEnv(environment)));

    expect(result.code, result.stderr).toBe(0);
    expect(result.summary).toContain(`### Policy gate: ${environment} passed`);
    expect(result.stderr).toContain(`policy gate ${environment}: passed`);
    expect((await backendStacks()).filter((stack) => stack.startsWith("gate-") && !before.includes(stack))).toEqual([]);
    expect(readFileSync(resolve(repoRoot, "stacks/Pulumi.staging.yaml"), "utf8")).toBe(stacksBefore);
  });

  it.each(environments)("fails the %s environment for a :latest candidate image, naming the policy", async (environment) => {
    const env = policyGateEnv(environment, "ghcr.io/rollgate/sample-app:latest");

    const result = timed(`gate ${environment} (:latest)`, await runStep(stepRunning(ci, "policy-gate", "policy-gate.sh"), env, { runner: { GITHUB_ACTIONS: "true" } }));

    expect(result.code).not.toBe(0);
    expect(result.summary).toContain(`### Policy gate: ${environment} failed`);
    expect(result.summary).toMatch(/\| mandatory \| `workload-image-pinned` \| kubernetes:apps\/v1:Deployment: [^|]+ \| container "app" image "ghcr\.io\/rollgate\/sample-app:latest" must not use the :latest tag \|/);
    expect(result.stdout).toMatch(new RegExp(`^::error title=policy workload-image-pinned \\(${environment}\\)::`, "m"));
    expect(result.stdout).toMatch(/^::error::policy gate failed for: /m);
  });

  it("fails production, and only production, for a deployer without permission there", async () => {
    const stacksDir = mkdtempSync(join(tmpdir(), "rg-gate-stacks-"));
    try {
      for (const environment of ["staging", "production"]) {
        const file = load(readFileSync(resolve(repoRoot, `stacks/Pulumi.${environment}.yaml`), "utf8")) as { config: Record<string, unknown> };
        writeFileSync(join(stacksDir, `Pulumi.${environment}.yaml`), dump({ config: { ...file.config, "rollgate:deployedBy": "mallory" } }));
      }

      const result = timed(
        "gate staging+production (deployer)",
        await runStep({ run: 'bash scripts/pipeline/policy-gate.sh staging production' }, { ROLLGATE_STACKS_DIR: stacksDir }),
      );

      expect(result.code).toBe(1);
      expect(result.summary).toContain("### Policy gate: staging passed");
      expect(result.summary).toContain("### Policy gate: production failed");
      expect(result.summary).toContain(
        '| mandatory | `stable-image-through-release` | kubernetes:apps/v1:Deployment: sample-app-stable-deployment | deployer "mallory" must have permission to deploy to this environment (allowed: rollgate-release-controller) |',
      );
      expect(result.stderr).toContain("policy gate failed for: production");
    } finally {
      rmSync(stacksDir, { recursive: true, force: true });
    }
  });
});

describe("deploy.yml: gates before staging", () => {
  it("deploys to staging only after the gates job, and to production only after staging", () => {
    expect(deploy.jobs.gates?.uses).toBe("./.github/workflows/ci.yml");
    expect(deploy.jobs.gates?.with?.["gate-image"]).toBe("${{ needs.image.outputs.ref }}");
    expect(needsOf(deploy.jobs.staging ?? {})).toContain("gates");
    expect(needsOf(deploy.jobs.production ?? {})).toContain("staging");
    expect(needsOf(ci.jobs.preview ?? {})).toEqual(expect.arrayContaining(["checks", "integration", "policy-gate"]));
  });

  it("stops at the policy gate for a violating release image: the gate fails, so the deploy job never starts", async () => {
    // ci.yml's policy-gate step as deploy.yml's gates job runs it: gate-image is the image to release.
    const result = timed("gate production (deploy, tag without digest)", await runStep(
      stepRunning(ci, "policy-gate", "policy-gate.sh"),
      policyGateEnv("production", "ghcr.io/rollgate/sample-app:1.1.0"),
    ));

    expect(result.code).not.toBe(0);
    expect(result.summary).toContain(
      'container "app" image "ghcr.io/rollgate/sample-app:1.1.0" must be pinned by digest (@sha256:…) in this environment',
    );
  });
});

describe("deploy.yml's staging step (deploy.sh) on a throwaway stack", () => {
  const stack = `it-pipeline-${runId}-staging`;
  const namespace = `it-pipeline-${runId}-staging`;
  const stackFile = resolve(repoRoot, "stacks", `Pulumi.${stack}.yaml`);
  const { apps, core } = kubeClients();
  const step = stepRunning(deploy, "staging", "deploy.sh");
  const deployEnv = (image: string) =>
    stepEnvironment(step, {
      ROLLGATE_IMAGE: image,
      // The local cluster, backend and passphrase stand in for the secrets and variables.
      ROLLGATE_KUBECONFIG_DATA: readFileSync(process.env.KUBECONFIG ?? "", "utf8"),
      PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? "",
      PULUMI_ACCESS_TOKEN: "",
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? readFileSync(process.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "", "utf8").trim(),
    });
  // deploy.sh updates the stack named by ROLLGATE_STACK (the workflow leaves it to default to `staging`).
  const runner = { ROLLGATE_STACK: stack };

  afterAll(async () => {
    try {
      await run("pulumi", ["destroy", "--yes", "--skip-preview", "--remove", "--stack", stack, "--non-interactive"], { cwd: repoRoot, env: process.env });
    } catch (error) {
      if (!/no stack named/i.test(String((error as { stderr?: string }).stderr))) throw error;
    } finally {
      rmSync(stackFile, { force: true });
    }
    expect(await eventually(() => namespaceGone(core, namespace), 60_000)).toBe(true);
  });

  it("refuses a :latest image before any resource changes, then deploys a pinned one", async () => {
    const staging = load(readFileSync(resolve(repoRoot, "stacks/Pulumi.staging.yaml"), "utf8")) as { config: Record<string, unknown> };
    writeFileSync(stackFile, `# Throwaway stack of ${__filename}; removed by the test.\n${dump({ config: { ...staging.config, "rollgate:namespace": namespace } })}`);
    await run("pulumi", ["stack", "init", stack, "--no-select", "--non-interactive"], { cwd: repoRoot, env: process.env });

    const refused = timed("deploy.sh staging (:latest)", await runStep(step, deployEnv("ghcr.io/rollgate/sample-app:latest"), { runner }));

    expect(refused.code).toBe(1);
    expect(refused.summary).toContain("`workload-image-pinned`");
    expect(refused.stderr).not.toMatch(/created \(/);
    expect(await namespaceGone(core, namespace)).toBe(true);

    const deployed = timed("deploy.sh staging (1.1.0)", await runStep(step, deployEnv("ghcr.io/rollgate/sample-app:1.1.0"), { runner }));

    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.summary).toContain("### Deployed staging");
    expect(deployed.summary).toContain("| URL | http://sample-app.staging.rollgate.dev |");
    const deployment = await apps.readNamespacedDeployment({ name: "sample-app-stable", namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("ghcr.io/rollgate/sample-app:1.1.0");
  });
});
