/**
 * The benchmark's own environment, so it never collides with tests or a
 * developer's service on the shared cluster: a database of its own (the
 * service's records and Pulumi's state, through the `postgres://` backend),
 * a passphrase, the service's state directory and tokens, and the
 * environment stack's config file (`bench-app` in namespace `rollgate-bench`,
 * stack `staging`) for the CLI baseline, kept in step with the copy the
 * service reads from the database.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dump, load } from "js-yaml";
import pino from "pino";
import { previewTemplateConfig } from "../../automation/previewTemplate";
import { Database } from "../../automation/store/database";
import { migrate } from "../../automation/store/migrate";
import { PgStackConfigStore } from "../../automation/store/stackConfigStore";
import { createTestDatabase, type TestDatabase } from "../../test/support/database";
import { routerStackConfig, type InClusterRouter } from "../../test/support/routerObjects";
import { PulumiCli } from "./pulumiCli";

export const repoRoot = resolve(__dirname, "../..");

/** The environment stack the weight-step and rollback scenarios release into. */
export const ENVIRONMENT = { stack: "staging", environment: "staging", app: "bench-app", namespace: "rollgate-bench" } as const;
export const STABLE_IMAGE = "ghcr.io/rollgate/sample-app:1.0.0";

export class BenchEnvironment {
  readonly root: string;
  readonly stateDir: string;
  /** The CLI baseline's copy of the environment stack's config (`Pulumi.<stack>.yaml`). */
  readonly configFile: string;
  private database?: TestDatabase;
  private connection?: Database;
  readonly token: string;
  readonly cli: PulumiCli;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), "rg-bench-"));
    this.stateDir = join(this.root, "service");
    this.configFile = join(this.root, "stacks", `Pulumi.${ENVIRONMENT.stack}.yaml`);
    mkdirSync(join(this.root, "stacks"), { recursive: true });
    mkdirSync(this.stateDir, { recursive: true });
    this.token = `rg_bench_${randomBytes(16).toString("hex")}`;
    const sha256 = createHash("sha256").update(this.token, "utf8").digest("hex");
    const scopes = ["previews:read", "previews:write", "releases:read", `releases:${ENVIRONMENT.environment}`];
    writeFileSync(join(this.stateDir, "tokens.json"), JSON.stringify([{ name: "bench", sha256, scopes }]));
    this.cli = new PulumiCli(repoRoot, ENVIRONMENT.stack, this.configFile, this.root);

    process.env.PULUMI_CONFIG_PASSPHRASE = "rollgate-bench";
    delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  }

  /** Creates the benchmark's database; every child (the CLI, the service, its engine) then uses it as Pulumi's backend. */
  async open(): Promise<void> {
    this.database = await createTestDatabase("rg_bench");
    this.connection = new Database({ url: this.database.url, logger: pino({ level: "silent" }) });
    await migrate(this.connection);
    process.env.PULUMI_BACKEND_URL = this.databaseUrl;
  }

  get databaseUrl(): string {
    if (!this.database) throw new Error("open the benchmark environment first");
    return this.database.url;
  }

  private configs(): PgStackConfigStore {
    if (!this.connection) throw new Error("open the benchmark environment first");
    return new PgStackConfigStore(this.connection);
  }

  /** Hands the CLI's config file to the service: its store is where it deploys from. */
  async pushStackConfig(): Promise<void> {
    await this.configs().save(ENVIRONMENT.stack, readFileSync(this.configFile, "utf8"));
  }

  /** Takes the service's config back for the CLI (after the service's releases changed it). */
  async pullStackConfig(): Promise<void> {
    const stored = await this.configs().load(ENVIRONMENT.stack);
    if (stored) writeFileSync(this.configFile, stored.content);
  }

  /** The environment stack's config on `router`, with the stack's `encryptionsalt` from `pulumi stack init`. */
  writeStackConfig(saltFile: string, router: InClusterRouter): void {
    writeEnvironmentConfig(this.configFile, saltFile, { ...ENVIRONMENT, router });
  }

  /** `ROLLGATE_*` settings of the service under test. */
  serviceEnv(prometheusUrl: string | undefined): Record<string, string> {
    return {
      ROLLGATE_DATABASE_URL: this.databaseUrl,
      ROLLGATE_PREVIEW_BASE_CONFIG: JSON.stringify(previewBaseConfig()),
      ...(prometheusUrl ? { ROLLGATE_PROMETHEUS_URL: prometheusUrl } : {}),
    };
  }

  async remove(): Promise<void> {
    await this.connection?.close();
    await this.database?.drop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The preview template's shared config with the benchmark's app name. */
export function previewBaseConfig(): Record<string, string> {
  return { ...previewTemplateConfig(), "rollgate:app": ENVIRONMENT.app };
}

/**
 * Writes an environment stack's config: the repo's `stacks/Pulumi.staging.yaml`
 * with `target`'s app, namespace, host name and router (Gateway API unless
 * given), stable only, plus the `encryptionsalt` `pulumi stack init` wrote
 * into `saltFile`.
 */
export function writeEnvironmentConfig(
  file: string,
  saltFile: string,
  target: { readonly environment: string; readonly app: string; readonly namespace: string; readonly router?: InClusterRouter },
): void {
  const salt = (load(readFileSync(saltFile, "utf8")) as { encryptionsalt?: string } | undefined)?.encryptionsalt;
  const base = load(readFileSync(join(repoRoot, "stacks", `Pulumi.${ENVIRONMENT.stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const config = {
    ...base.config,
    "rollgate:environment": target.environment,
    "rollgate:app": target.app,
    "rollgate:namespace": target.namespace,
    "rollgate:hostnames": [`${target.app}.bench.rollgate.dev`],
    "rollgate:stableImage": STABLE_IMAGE,
    "rollgate:canaryWeight": 0,
    ...routerStackConfig(target.router ?? "gateway-api"),
  };
  writeFileSync(file, dump({ ...(salt ? { encryptionsalt: salt } : {}), config }));
}
