/**
 * The policy pack on the real engine. `pulumi preview` (and `pulumi up`) run
 * through the project's Pulumi CLI with `--policy-pack policies
 * --policy-pack-config policies/config/<env>.json` on throwaway stacks whose
 * config is written to `stacks/Pulumi.<stack>.yaml` and deleted afterwards;
 * then an `up` through the Automation API (LocalStackEngine with its
 * `policyPacks` and `policyPackConfig` options). A violation must stop the
 * operation before any resource changes: the tests look in the cluster.
 * Rollgate's own stack (`stacks/Pulumi.rollgate.yaml`, program `service`) is
 * previewed under the same pack: it must follow its own rules.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dump, load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { servicePolicyPack } from "../../../automation/productionAdapters";
import type { StackConfig } from "../../../automation/engine/port";
import { program } from "../../../infra/program";
import { kubeClients, namespaceGone } from "../../support/kube";

const projectDir = resolve(__dirname, "../../..");
const policiesDir = resolve(projectDir, "policies");
const runId = process.pid;
const digest = `sha256:${"3f1a9c6e".repeat(8)}`;

type Environment = "preview" | "staging" | "production";
type Config = Record<string, unknown>;

interface CliResult {
  readonly code: number;
  /** stdout and stderr. */
  readonly output: string;
}

function pulumi(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolveRun) => {
    execFile(
      "pulumi",
      [...args, "--non-interactive", "--color", "never"],
      { cwd: projectDir, env: process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolveRun({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

const timings: string[] = [];
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    timings.push(`${name}: ${((performance.now() - start) / 1000).toFixed(1)}s`);
  }
}

/** The `config:` of a committed stack file (`stacks/Pulumi.<stack>.yaml`). */
function stackFileConfig(stack: string): Config {
  const file = load(readFileSync(resolve(projectDir, `stacks/Pulumi.${stack}.yaml`), "utf8")) as { config: Config };
  return file.config;
}

/** The `config:` of a committed stack file, with this test's namespace. */
function committedConfig(environment: "staging" | "production", namespace: string): Config {
  return { ...stackFileConfig(environment), "rollgate:namespace": namespace };
}

/** Production's committed config, its stable image's digest stamped as verified, as a release with a trust policy leaves it. */
function verifiedProduction(namespace: string): Config {
  const config = committedConfig("production", namespace);
  const stableDigest = /@(sha256:[a-f0-9]{64})$/.exec(String(config["rollgate:stableImage"]))?.[1] ?? "";
  return { ...config, "rollgate:stableVerifiedDigest": stableDigest };
}

/** A preview stack's config, as the service writes it. */
function previewConfig(pr: number, image: string): Config {
  return {
    "rollgate:environment": "preview",
    "rollgate:app": "sample-app",
    "rollgate:image": image,
    "rollgate:pr": String(pr),
    "rollgate:createdAt": new Date().toISOString(),
    "rollgate:previewDomain": "preview.rollgate.localhost",
    "rollgate:router": "gateway-api",
    "rollgate:gatewayName": "rollgate-gateway",
    "rollgate:gatewayNamespace": "rollgate-system",
    "rollgate:deployedBy": "rollgate-ci",
  };
}

/** Stacks created through the CLI and not yet removed; afterAll removes them whatever happened. */
const cliStacks = new Set<string>();

async function removeCliStack(stack: string): Promise<void> {
  try {
    // Also cleans up anything a failing assertion about "nothing created" left behind.
    const removed = await pulumi(["destroy", "--yes", "--skip-preview", "--remove", "--stack", stack]);
    if (removed.code !== 0 && !/no stack named/i.test(removed.output)) {
      throw new Error(`could not remove stack ${stack}:\n${removed.output}`);
    }
  } finally {
    rmSync(resolve(projectDir, "stacks", `Pulumi.${stack}.yaml`), { force: true });
    cliStacks.delete(stack);
  }
}

/**
 * Creates a throwaway stack with `config` (and `secrets`, set with `--secret`),
 * runs `pulumi <command>` on it with the environment's policy config, and
 * removes the stack again.
 */
async function withPolicies(
  command: "preview" | "up",
  environment: Environment,
  name: string,
  config: Config,
  secrets: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  const stack = `it-policy-${runId}-${name}`;
  const stackFile = resolve(projectDir, "stacks", `Pulumi.${stack}.yaml`);
  writeFileSync(stackFile, `# Throwaway stack of ${__filename}; removed by the test.\n${dump({ config })}`);
  cliStacks.add(stack);
  try {
    const created = await pulumi(["stack", "init", stack, "--no-select"]);
    if (created.code !== 0) throw new Error(`pulumi stack init ${stack} failed:\n${created.output}`);
    if (Object.keys(secrets).length > 0) {
      const pairs = Object.entries(secrets).flatMap(([key, value]) => ["--secret", `${key}=${value}`]);
      const set = await pulumi(["config", "set-all", "--stack", stack, ...pairs]);
      if (set.code !== 0) throw new Error(`pulumi config set-all --secret on ${stack} failed:\n${set.output}`);
    }
    const args = [command, "--stack", stack, "--policy-pack", "policies", "--policy-pack-config", `policies/config/${environment}.json`];
    return await timed(`${command} ${name}`, () => pulumi(command === "up" ? [...args, "--yes"] : args));
  } finally {
    await removeCliStack(stack);
  }
}

/** The `- [level]  policy  (resource)` lines of the CLI's Policies section, with the message after each. */
function violations(output: string): string[] {
  return [...output.matchAll(/- \[(mandatory|advisory)\]\s+(\S+)[^\n]*\n[^\n]*\n\s*([^\n]*)/g)].map(
    (match) => `${match[1]} ${match[2]}: ${match[3]}`,
  );
}

const { core, apps } = kubeClients();

async function previewNamespaces(pr: number): Promise<string[]> {
  const list = await core.listNamespace({ labelSelector: `rollgate.dev/pr=${pr}` });
  return list.items.map((namespace) => namespace.metadata?.name ?? "");
}

afterAll(async () => {
  for (const stack of [...cliStacks]) await removeCliStack(stack);
  console.info(`[timing] policy pack:\n  ${timings.join("\n  ")}`);
});

describe("pulumi preview with the policy pack, through the project's CLI", () => {
  it("passes a compliant staging stack (exit 0, no violations)", async () => {
    const namespace = `it-policy-${runId}-ok-stg`;

    const result = await withPolicies("preview", "staging", "ok-stg", committedConfig("staging", namespace));

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Policies:\s*\n\s*✅ rollgate@v[\d.]+ \(local: policies\)/);
    expect(violations(result.output)).toEqual([]);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it.each([
    { router: "gateway-api", routerConfig: {} },
    { router: "nginx", routerConfig: { "rollgate:router": "nginx" } },
    { router: "istio", routerConfig: { "rollgate:router": "istio" } },
  ])("passes the traffic weights of a staging canary at 25 % on the $router router", async ({ router, routerConfig }) => {
    const name = `w-${router}`;
    const config = {
      ...committedConfig("staging", `it-policy-${runId}-${name}`),
      ...routerConfig,
      "rollgate:canaryImage": "ghcr.io/rollgate/sample-app:1.1.0",
      "rollgate:canaryWeight": 25,
    };

    const result = await withPolicies("preview", "staging", name, config);

    expect(result.code, result.output).toBe(0);
    expect(violations(result.output)).toEqual([]);
  });

  it("passes a production stack deployed through a release by the allowed deployer, with a digest-pinned, verified image", async () => {
    const config = { ...verifiedProduction(`it-policy-${runId}-ok-prd`), "rollgate:releaseId": "rel-42" };

    const result = await withPolicies("preview", "production", "ok-prd", config);

    expect(result.code, result.output).toBe(0);
    expect(violations(result.output)).toEqual([]);
  });

  it("reports a production canary that is not the digest the supply-chain gate verified (advisory in the committed config)", async () => {
    const canaryDigest = `sha256:${"b".repeat(64)}`;
    const config = {
      ...verifiedProduction(`it-policy-${runId}-unverified`),
      "rollgate:releaseId": "rel-46",
      "rollgate:canaryImage": `ghcr.io/rollgate/sample-app:1.1.0@${canaryDigest}`,
      "rollgate:canaryVerifiedDigest": `sha256:${"c".repeat(64)}`,
    };

    const result = await withPolicies("preview", "production", "unverified", config);

    expect(result.code, result.output).toBe(0);
    expect(violations(result.output)).toEqual([
      `advisory workload-image-verified: container "app" image ghcr.io/rollgate/sample-app:1.1.0@${canaryDigest} is pinned to ${canaryDigest}, not the verified sha256:${"c".repeat(64)}`,
    ]);
  });

  it("fails a :latest image in staging with workload-image-pinned, creating nothing", async () => {
    const namespace = `it-policy-${runId}-latest`;
    const config = { ...committedConfig("staging", namespace), "rollgate:stableImage": "ghcr.io/rollgate/sample-app:latest" };

    const result = await withPolicies("preview", "staging", "latest", config);

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toEqual([
      'mandatory workload-image-pinned: container "app" image "ghcr.io/rollgate/sample-app:latest" must not use the :latest tag',
    ]);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it("fails a production canary image without a digest with workload-image-pinned", async () => {
    const namespace = `it-policy-${runId}-nodigest`;
    const config = {
      ...committedConfig("production", namespace),
      "rollgate:releaseId": "rel-43",
      "rollgate:canaryImage": "ghcr.io/rollgate/sample-app:1.1.0",
    };

    const result = await withPolicies("preview", "production", "nodigest", config);

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toContain(
      'mandatory workload-image-pinned: container "app" image "ghcr.io/rollgate/sample-app:1.1.0" must be pinned by digest (@sha256:…) in this environment',
    );
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it("fails a production stable image change without a release id with stable-image-through-release", async () => {
    const namespace = `it-policy-${runId}-norelease`;
    const config = {
      ...committedConfig("production", namespace),
      "rollgate:stableImage": `ghcr.io/rollgate/sample-app:1.1.0@${digest}`,
      "rollgate:stableVerifiedDigest": digest,
    };

    const result = await withPolicies("preview", "production", "norelease", config);

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toEqual([
      "mandatory stable-image-through-release: stable workloads must change only through a release: annotation rollgate.dev/release-id is missing",
    ]);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it("fails a production deployer without permission for the environment with stable-image-through-release", async () => {
    const namespace = `it-policy-${runId}-deployer`;
    const config = { ...verifiedProduction(namespace), "rollgate:releaseId": "rel-44", "rollgate:deployedBy": "mallory" };

    const result = await withPolicies("preview", "production", "deployer", config);

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toEqual([
      'mandatory stable-image-through-release: deployer "mallory" must have permission to deploy to this environment (allowed: rollgate-release-controller)',
    ]);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it("accepts in staging the deployer that production refuses (the permission rule comes from the policy config)", async () => {
    const config = { ...committedConfig("staging", `it-policy-${runId}-deployer-stg`), "rollgate:deployedBy": "mallory" };

    const result = await withPolicies("preview", "staging", "deployer-stg", config);

    expect(result.code, result.output).toBe(0);
  });

  it("fails a :latest preview image with workload-image-pinned under the preview policy config", async () => {
    const pr = 770_000 + (runId % 10_000);

    const result = await withPolicies("preview", "preview", "pr-latest", previewConfig(pr, "ghcr.io/rollgate/sample-app:latest"));

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toContain(
      'mandatory workload-image-pinned: container "app" image "ghcr.io/rollgate/sample-app:latest" must not use the :latest tag',
    );
    expect(await previewNamespaces(pr)).toEqual([]);
  });

  it("reports advisory violations without failing (production with one replica)", async () => {
    const config = { ...verifiedProduction(`it-policy-${runId}-advisory`), "rollgate:releaseId": "rel-45", "rollgate:replicas": "1" };

    const result = await withPolicies("preview", "production", "advisory", config);

    expect(result.code, result.output).toBe(0);
    expect(violations(result.output)).toEqual(["advisory workload-min-replicas: spec.replicas must be at least 2 (got 1)"]);
  });
});

/**
 * Rollgate's own stack (`stacks/Pulumi.rollgate.yaml`, program `service`) in this test's namespace,
 * its image pinned by digest as production requires.
 */
function serviceConfig(name: string, overrides: Config = {}): Config {
  return {
    ...stackFileConfig("rollgate"),
    "rollgateService:namespace": `it-policy-${runId}-${name}`,
    "rollgateService:image": `ghcr.io/rollgate/rollgate@${digest}`,
    ...overrides,
  };
}

/** The service's credentials, set with `--secret` as the stack file says; `databaseUrl` unless the trial database provides it. */
function serviceSecrets(database: "external" | "trial"): Record<string, string> {
  return {
    "rollgateService:configPassphrase": "it-passphrase",
    "rollgateService:apiTokens": JSON.stringify({ "it-token-value-0123456789": ["previews:read"] }),
    ...(database === "external" ? { "rollgateService:databaseUrl": "postgres://rollgate:it-password@db.example.test:5432/rollgate" } : {}),
  };
}

describe("Rollgate's own stack (program `service`) follows its policy pack", () => {
  it.each(["production", "staging"] as const)("passes under the %s policy config (exit 0, no violations)", async (environment) => {
    const name = `self-${environment.slice(0, 3)}`;

    const result = await withPolicies("preview", environment, name, serviceConfig(name), serviceSecrets("external"));

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Policies:\s*\n\s*✅ rollgate@v[\d.]+ \(local: policies\)/);
    expect(result.output).toMatch(/\+ +kubernetes:apps\/v1:Deployment +rollgate-deployment +create/);
    expect(violations(result.output)).toEqual([]);
  });

  it("fails Rollgate's image pinned by tag under the production policy config (the pack sees the service's Deployment)", async () => {
    const config = serviceConfig("self-tag", { "rollgateService:image": "ghcr.io/rollgate/rollgate:0.1.0" });

    const result = await withPolicies("preview", "production", "self-tag", config, serviceSecrets("external"));

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toEqual([
      'mandatory workload-image-pinned: container "rollgate" image "ghcr.io/rollgate/rollgate:0.1.0" must be pinned by digest (@sha256:…) in this environment',
    ]);
  });

  it("fails the trial database under the production policy config, naming its image (as docs/rollgate-in-cluster.md says)", async () => {
    const name = "self-trial-prd";
    const config = serviceConfig(name, { "rollgateService:trialDatabase": true });

    const result = await withPolicies("preview", "production", name, config, serviceSecrets("trial"));

    expect(result.code).not.toBe(0);
    // Only the trial database is reported (in any order): its tag, and (advisory) the single instance it runs on purpose.
    expect(new Set(violations(result.output))).toEqual(new Set([
      'mandatory workload-image-pinned: container "postgres" image "postgres:17.2-alpine" must be pinned by digest (@sha256:…) in this environment',
      `advisory workload-disruption-budget: StatefulSet "rollgate-database" must be covered by a PodDisruptionBudget in namespace "it-policy-${runId}-${name}" whose selector matches its pod labels`,
      "advisory workload-min-replicas: spec.replicas must be at least 2 (got 1)",
    ]));
  });

  it("accepts the trial database under the staging policy config", async () => {
    const config = serviceConfig("self-trial-stg", { "rollgateService:trialDatabase": true });

    const result = await withPolicies("preview", "staging", "self-trial-stg", config, serviceSecrets("trial"));

    expect(result.code, result.output).toBe(0);
    expect(violations(result.output)).toEqual([]);
  });
});

describe("pulumi up with the policy pack, through the project's CLI", () => {
  it("stops a violating update before any resource changes: no namespace, no resources in the stack", async () => {
    const namespace = `it-policy-${runId}-up`;
    const config = { ...committedConfig("production", namespace) }; // no release id

    const result = await withPolicies("up", "production", "up", config);

    expect(result.code).not.toBe(0);
    expect(violations(result.output)).toContain(
      "mandatory stable-image-through-release: stable workloads must change only through a release: annotation rollgate.dev/release-id is missing",
    );
    expect(result.output).not.toMatch(/created \(/);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });
});

describe("an up through the Automation API (LocalStackEngine with the compiled policy pack, as the service runs it)", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-policy-ws-"));
  const nodeCompileCacheDir = join(workspacesDir, "node-compile-cache");
  const stackEnvironment = new Map<string, Environment>();
  const compiled = servicePolicyPack();
  const engine = new LocalStackEngine({
    program,
    workspacesDir,
    nodeCompileCacheDir,
    policyPacks: [compiled.directory],
    policyPackConfig: (stack) => {
      const environment = stackEnvironment.get(stack);
      return environment ? resolve(policiesDir, "config", `${environment}.json`) : undefined;
    },
  });
  const engineStacks = new Set<string>();

  function engineConfig(config: Config): StackConfig {
    return Object.fromEntries(
      Object.entries(config).map(([key, value]) => [key, { value: typeof value === "string" ? value : JSON.stringify(value) }]),
    );
  }

  function engineStack(name: string, environment: Environment): string {
    const stack = `it-policy-api-${runId}-${name}`;
    stackEnvironment.set(stack, environment);
    engineStacks.add(stack);
    return stack;
  }

  afterAll(async () => {
    for (const stack of engineStacks) await engine.destroy(stack);
    rmSync(workspacesDir, { recursive: true, force: true });
  });

  it("rejects a violating up on a new stack and creates nothing in the cluster", async () => {
    const namespace = `it-policy-api-${runId}-new`;
    const stack = engineStack("new", "production");
    const config = committedConfig("production", namespace); // no release id

    const up = timed("engine up (violation, new stack)", () => engine.up(stack, engineConfig(config)));

    await expect(up).rejects.toThrow(/stable-image-through-release/);
    expect(await namespaceGone(core, namespace)).toBe(true);
  });

  it("rejects a violating update of a running stack and leaves its resources as they were", async () => {
    const namespace = `it-policy-api-${runId}-upd`;
    const stack = engineStack("upd", "staging");
    const compliant = committedConfig("staging", namespace);
    await timed("engine up (compliant)", () => engine.up(stack, engineConfig(compliant)));
    const before = await apps.readNamespacedDeployment({ name: "sample-app-stable", namespace });
    const service = await core.readNamespacedService({ name: "sample-app-stable", namespace });

    const violating = { ...compliant, "rollgate:stableImage": "ghcr.io/rollgate/sample-app:latest" };
    const up = timed("engine up (violation, running stack)", () => engine.up(stack, engineConfig(violating)));

    await expect(up).rejects.toThrow(/workload-image-pinned/);
    // Spec, labels and annotations, not resourceVersion: status updates by the controllers bump that.
    const after = await apps.readNamespacedDeployment({ name: "sample-app-stable", namespace });
    expect(after.spec?.template.spec?.containers[0]?.image).toBe("ghcr.io/rollgate/sample-app:1.0.0");
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.labels).toEqual(before.metadata?.labels);
    expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
    const serviceAfter = await core.readNamespacedService({ name: "sample-app-stable", namespace });
    expect(serviceAfter.spec).toEqual(service.spec);
    expect(serviceAfter.metadata?.labels).toEqual(service.metadata?.labels);
    expect((await engine.outputs(stack)).stableImage).toBe("ghcr.io/rollgate/sample-app:1.0.0");
  });

  it("gives the engine's Node processes the compile cache directory, which they fill", () => {
    // The program is inline: the Node children are the policy pack's; Node keeps a directory per version.
    const cached = readdirSync(nodeCompileCacheDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(cached.length).toBeGreaterThan(0);
  });
});
