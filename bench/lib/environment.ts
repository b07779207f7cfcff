/**
 * The benchmark's own environment, so it never collides with tests or a
 * developer's service on the shared cluster: a temporary root with its own
 * file backend and passphrase, the service's state directory and tokens, the
 * environment stack's config file (`bench-app` in namespace `rollgate-bench`,
 * stack `staging`) in the service's stack config directory.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dump, load } from "js-yaml";
import { previewTemplateConfig } from "../../automation/previewTemplate";
import { PulumiCli } from "./pulumiCli";

export const repoRoot = resolve(__dirname, "../..");

/** The environment stack the weight-step and rollback scenarios release into. */
export const ENVIRONMENT = { stack: "staging", environment: "staging", app: "bench-app", namespace: "rollgate-bench" } as const;
export const STABLE_IMAGE = "ghcr.io/rollgate/sample-app:1.0.0";

export class BenchEnvironment {
  readonly root: string;
  readonly stateDir: string;
  /** `ROLLGATE_STACK_CONFIG_DIR`: the service's environment stack config files (`Pulumi.<stack>.yaml`). */
  readonly stackConfigDir: string;
  readonly configFile: string;
  readonly token: string;
  readonly cli: PulumiCli;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), "rg-bench-"));
    this.stateDir = join(this.root, "service");
    this.stackConfigDir = join(this.stateDir, "stacks");
    this.configFile = join(this.stackConfigDir, `Pulumi.${ENVIRONMENT.stack}.yaml`);
    mkdirSync(this.stackConfigDir, { recursive: true });
    this.token = `rg_bench_${randomBytes(16).toString("hex")}`;
    const sha256 = createHash("sha256").update(this.token, "utf8").digest("hex");
    const scopes = ["previews:read", "previews:write", "releases:read", `releases:${ENVIRONMENT.environment}`];
    writeFileSync(join(this.stateDir, "tokens.json"), JSON.stringify([{ name: "bench", sha256, scopes }]));
    this.cli = new PulumiCli(repoRoot, ENVIRONMENT.stack, this.configFile, this.root);

    // Every child (the CLI, the service, its engine) inherits these: our own backend and passphrase.
    process.env.PULUMI_BACKEND_URL = `file://${join(this.root, "state")}`;
    mkdirSync(join(this.root, "state"), { recursive: true });
    process.env.PULUMI_CONFIG_PASSPHRASE = "rollgate-bench";
    delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  }

  /**
   * The environment stack's config: the repo's `stacks/Pulumi.staging.yaml`
   * with the benchmark's app, namespace and host name, plus the stack's
   * `encryptionsalt` from `pulumi stack init`.
   */
  writeStackConfig(saltFile: string): void {
    const salt = (load(readFileSync(saltFile, "utf8")) as { encryptionsalt?: string } | undefined)?.encryptionsalt;
    const base = load(readFileSync(join(repoRoot, "stacks", `Pulumi.${ENVIRONMENT.stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const config = {
      ...base.config,
      "rollgate:environment": ENVIRONMENT.environment,
      "rollgate:app": ENVIRONMENT.app,
      "rollgate:namespace": ENVIRONMENT.namespace,
      "rollgate:hostnames": [`${ENVIRONMENT.app}.bench.rollgate.dev`],
      "rollgate:stableImage": STABLE_IMAGE,
      "rollgate:canaryWeight": 0,
    };
    writeFileSync(this.configFile, dump({ ...(salt ? { encryptionsalt: salt } : {}), config }));
  }

  /** `ROLLGATE_*` settings of the service under test. */
  serviceEnv(prometheusUrl: string | undefined): Record<string, string> {
    return {
      ROLLGATE_STACK_CONFIG_DIR: this.stackConfigDir,
      ROLLGATE_PREVIEW_BASE_CONFIG: JSON.stringify(previewBaseConfig()),
      ...(prometheusUrl ? { ROLLGATE_PROMETHEUS_URL: prometheusUrl } : {}),
    };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The preview template's shared config with the benchmark's app name. */
export function previewBaseConfig(): Record<string, string> {
  return { ...previewTemplateConfig(), "rollgate:app": ENVIRONMENT.app };
}
