/**
 * The service's environment, parsed once at boot. Bad values stop the service
 * with a message naming the variable.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { metricProviderConfigSchema, type MetricProviderConfig } from "./release/analysis/registry";
import { privateKeyProblem, unescapePem, type GitHubAuth } from "./services/github/auth";
import { imageTemplateProblem } from "./services/webhooks/imageTemplate";
import type { PreviewLimits } from "./services/previews/previewService";
import type { PreviewTriggerPolicy } from "./services/webhooks/previewTrigger";

/** A whole-number variable between `min` and `max`. */
export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const SmokeChecks = z.array(
  z
    .object({
      path: z.string().regex(/^\/[^\s]*$/, "must be a path starting with /"),
      expectStatus: z.number().int().min(100).max(599).default(200),
      timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    })
    .strict(),
);

/** Stack config every preview shares: `{ "rollgate:app": "sample-app", "rollgate:replicas": 1, ... }`. */
const BaseConfig = z
  .record(z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((config, ctx) => {
    for (const key of Object.keys(config)) {
      if (!/^[A-Za-z][\w-]*:[A-Za-z][\w.-]*$/.test(key)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: "must be a namespaced config key such as rollgate:app" });
      }
    }
  })
  .transform((config) => Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)])));

const jsonOf = <T extends z.ZodTypeAny>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** How long a replica's leases outlive its last renewal, unless configured. */
export const DEFAULT_LEASE_TTL_SECONDS = 15;

const httpUrl = z.string().url().regex(/^https?:\/\//, "must be an http(s) URL");

const privateKeyPem = z
  .string()
  .transform(unescapePem)
  .superRefine((key, ctx) => {
    const problem = privateKeyProblem(key);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const fileContents = z.string().transform((path, ctx) => {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})` });
    return z.NEVER;
  }
});

const githubAppVariables = [
  "ROLLGATE_GITHUB_APP_ID",
  "ROLLGATE_GITHUB_APP_INSTALLATION_ID",
  "ROLLGATE_GITHUB_APP_PRIVATE_KEY",
  "ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE",
] as const;

/** Every variable the service reads; `EnvSchema` adds the rules between them. */
const EnvVariables = z
  .object({
    ROLLGATE_HOST: z.string().min(1).default("127.0.0.1"),
    ROLLGATE_PORT: integer(0, 65_535).default("7070"),
    ROLLGATE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ROLLGATE_STATE_DIR: z.string().min(1).default(".rollgate"),
    ROLLGATE_TOKENS_FILE: z.string().min(1).optional(),
    ROLLGATE_MAX_CONCURRENT_OPERATIONS: integer(1, 64).default("2"),
    ROLLGATE_REAPER_INTERVAL_SECONDS: integer(1, 86_400).default("300"),
    ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS: integer(0, 3600).default("60"),
    ROLLGATE_PREVIEW_DEFAULT_TTL_HOURS: integer(1, 720).default("72"),
    ROLLGATE_MAX_PREVIEWS: integer(1, 10_000).default("50"),
    ROLLGATE_MAX_PREVIEWS_PER_REPOSITORY: integer(1, 10_000).optional(),
    ROLLGATE_MAX_QUEUED_OPERATIONS: integer(1, 100_000).default("100"),
    ROLLGATE_SMOKE_CHECKS: jsonOf(SmokeChecks).optional(),
    ROLLGATE_SMOKE_BASE_URL: httpUrl.optional(),
    ROLLGATE_PREVIEW_BASE_CONFIG: jsonOf(BaseConfig).optional(),
    ROLLGATE_GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
    ROLLGATE_PREVIEW_IMAGE_TEMPLATE: z
      .string()
      .superRefine((template, ctx) => {
        const problem = imageTemplateProblem(template);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional(),
    ROLLGATE_GITHUB_TOKEN: z.string().min(1).optional(),
    ROLLGATE_CLOUDFLARE_API_TOKEN: z.string().min(1).optional(),
    ROLLGATE_GITHUB_APP_ID: z
      .string()
      .regex(/^([0-9]+|Iv[A-Za-z0-9._-]+)$/, "must be the GitHub App's numeric ID or its client ID (Iv…)")
      .optional(),
    ROLLGATE_GITHUB_APP_INSTALLATION_ID: integer(1, Number.MAX_SAFE_INTEGER).optional(),
    ROLLGATE_GITHUB_APP_PRIVATE_KEY: privateKeyPem.optional(),
    ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE: fileContents.pipe(privateKeyPem).optional(),
    ROLLGATE_GITHUB_API_URL: z.string().url().default("https://api.github.com"),
    ROLLGATE_GITHUB_REPOSITORY: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name")
      .optional(),
    ROLLGATE_PREVIEW_TRIGGER: z.enum(["always", "label"]).default("always"),
    ROLLGATE_PREVIEW_LABEL: z.string().min(1).max(50).default("preview"),
    ROLLGATE_PREVIEW_FORKS: z.enum(["label", "allow", "skip"]).default("label"),
    ROLLGATE_GITHUB_STATUS_CONTEXT: z.string().min(1).max(100).default("rollgate/preview"),
    ROLLGATE_PROMETHEUS_URL: httpUrl.optional(),
    ROLLGATE_METRIC_PROVIDER: jsonOf(metricProviderConfigSchema).optional(),
    ROLLGATE_METRICS_ACCESS: z.enum(["public", "token"]).default("public"),
    ROLLGATE_RELEASE_WEBHOOK_URL: httpUrl.optional(),
    ROLLGATE_RELEASE_DEPLOYER: z.string().min(1).max(253).default("rollgate-release-controller"),
    ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS: integer(1, 600).default("2"),
    ROLLGATE_RELEASE_PROGRESS_DEADLINE_SECONDS: integer(1, 86_400).default("600"),
    ROLLGATE_RELEASE_ON_RESTART: z.enum(["resume", "rollback"]).default("resume"),
    ROLLGATE_RISK_CONFIG_DIR: z.string().min(1).optional(),
    ROLLGATE_TRUST_POLICY_DIR: z.string().min(1).optional(),
    ROLLGATE_SIGSTORE_TRUSTED_ROOT: z.string().min(1).optional(),
    ROLLGATE_DATABASE_URL: z
      .string({ required_error: "is required: the PostgreSQL database Rollgate keeps its records in (`npm start` starts a local one)" })
      .regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// URL"),
    ROLLGATE_LEASE_TTL_SECONDS: integer(3, 300).default(String(DEFAULT_LEASE_TTL_SECONDS)),
    ROLLGATE_REPLICA_ID: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "must be 1-128 letters, digits, '.', '_' or '-'").optional(),
  });

/** The service's variables, from its schema (the README's Configuration table names each: test/readme.test.ts). */
export const SERVICE_VARIABLES = Object.keys(EnvVariables.shape) as readonly (keyof typeof EnvVariables.shape)[];

const EnvSchema = EnvVariables
  .superRefine((env, ctx) => {
    if (env.ROLLGATE_GITHUB_WEBHOOK_SECRET && !env.ROLLGATE_PREVIEW_IMAGE_TEMPLATE) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["ROLLGATE_PREVIEW_IMAGE_TEMPLATE"],
        message: "is required when ROLLGATE_GITHUB_WEBHOOK_SECRET is set (e.g. ghcr.io/acme/app:pr-{pr}-{sha})",
      });
    }
    githubAuthProblems(env).forEach((issue) => ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue }));
    if (env.ROLLGATE_PROMETHEUS_URL && env.ROLLGATE_METRIC_PROVIDER) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["ROLLGATE_METRIC_PROVIDER"],
        message: 'is set together with ROLLGATE_PROMETHEUS_URL: use one (the URL is short for {"kind":"prometheus","baseUrl":...})',
      });
    }
  });

/** Reporting needs exactly one way to authenticate: a token, or all of a GitHub App's settings. */
function githubAuthProblems(env: Partial<Record<(typeof githubAppVariables)[number] | "ROLLGATE_GITHUB_TOKEN", unknown>>) {
  const appSet = githubAppVariables.filter((variable) => env[variable] !== undefined);
  if (appSet.length === 0) return [];
  if (env.ROLLGATE_GITHUB_TOKEN !== undefined) {
    return [{ path: ["ROLLGATE_GITHUB_TOKEN"], message: `is set together with ${appSet.join(", ")}: configure either a token or a GitHub App, not both` }];
  }
  const problems: { path: string[]; message: string }[] = [];
  for (const required of ["ROLLGATE_GITHUB_APP_ID", "ROLLGATE_GITHUB_APP_INSTALLATION_ID"] as const) {
    if (env[required] === undefined) problems.push({ path: [required], message: `is required with ${appSet.join(", ")}` });
  }
  if (env.ROLLGATE_GITHUB_APP_PRIVATE_KEY !== undefined && env.ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE !== undefined) {
    problems.push({ path: ["ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE"], message: "is set together with ROLLGATE_GITHUB_APP_PRIVATE_KEY: use one" });
  } else if (env.ROLLGATE_GITHUB_APP_PRIVATE_KEY === undefined && env.ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE === undefined) {
    problems.push({ path: ["ROLLGATE_GITHUB_APP_PRIVATE_KEY"], message: `(or ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE) is required with ${appSet.join(", ")}` });
  }
  return problems;
}

/**
 * `/metrics` carries environment names, release ids and analysis values: `token` asks for a token with the
 * `metrics:read` scope (Prometheus sends it as `authorization.credentials_file`), `public` serves it to anyone.
 */
export type MetricsAccess = "public" | "token";

export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly stateDir: string;
  readonly tokensFile?: string;
  readonly maxConcurrentOperations: number;
  readonly reaperIntervalSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly previewDefaultTtlHours: number;
  /** Previews present at once, in all and per repository; a create beyond is refused (429). */
  readonly previewLimits: PreviewLimits;
  readonly smokeChecks: readonly { path: string; expectStatus: number; timeoutMs: number }[];
  /** Smoke checks go here instead of each preview's URL; `{pr}` is replaced by the PR number. */
  readonly smokeBaseUrl?: string;
  readonly previewBaseConfig: Readonly<Record<string, string>>;
  readonly metricsAccess: MetricsAccess;
  readonly releases: {
    /** Where release analyses measure; without one every measurement is an error (and releases with checks roll back). */
    readonly metricProvider?: MetricProviderConfig;
    /** Release events are POSTed here as JSON. */
    readonly webhookUrl?: string;
    /** Stamped as `rollgate:deployedBy` on every update the release controller makes. */
    readonly deployer: string;
    /** Each environment's risk config, `<environment>.json` (default `automation/release/risk/config/`). */
    readonly riskConfigDir?: string;
    /** When set, the supply-chain gate verifies release images against `<environment>.trust.json` there. */
    readonly trustPolicyDir?: string;
    /** Sigstore's `trusted_root.json`, which keyless signatures are verified against. */
    readonly sigstoreTrustedRoot?: string;
    readonly settings: {
      readonly pollIntervalSeconds: number;
      readonly progressDeadlineSeconds: number;
      readonly onRestart: "resume" | "rollback";
    };
  };
  /** Secrets the release probe needs to read a cloud router's live weight; stack config keeps them from the service. */
  readonly routerSecrets: {
    readonly cloudflare?: { readonly apiToken: string };
  };
  /** PostgreSQL: Rollgate's records and, unless `PULUMI_BACKEND_URL` says otherwise, Pulumi's state. */
  readonly databaseUrl: string;
  /** How long a replica's leases outlive its last renewal (the failover time after a crash). */
  readonly leaseTtlSeconds: number;
  /** This replica's name on the leases it holds; unique per process by default. */
  readonly replicaId?: string;
  readonly github: {
    readonly webhookSecret?: string;
    readonly imageTemplate?: string;
    /** Set when commit statuses and PR comments are reported. */
    readonly auth?: GitHubAuth;
    readonly apiUrl: string;
    readonly repository?: string;
    readonly statusContext: string;
    /** Which pull requests' webhooks deploy previews (the repository comes from `repository`). */
    readonly previewTrigger: Omit<PreviewTriggerPolicy, "repository">;
  };
}

export class EnvError extends Error {
  constructor(readonly problems: readonly { readonly variable: string; readonly message: string }[]) {
    super(`invalid configuration: ${problems.map((problem) => `${problem.variable} ${problem.message}`).join("; ")}`);
    this.name = "EnvError";
  }
}

/** Parses the `ROLLGATE_*` variables with `schema`; empty values count as unset. Throws `EnvError` naming each bad variable. */
export function parseVariables<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith("ROLLGATE_") && value !== ""));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data as z.output<T>;
  throw new EnvError(
    parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "environment"),
      message: issue.path.length > 1 ? `${issue.path.slice(1).join(".")}: ${issue.message}` : issue.message,
    })),
  );
}

/** The service's environment. */
export function parseEnv(env: NodeJS.ProcessEnv): ServiceConfig {
  const e = parseVariables(EnvSchema, env);
  return {
    host: e.ROLLGATE_HOST,
    port: e.ROLLGATE_PORT,
    logLevel: e.ROLLGATE_LOG_LEVEL,
    stateDir: e.ROLLGATE_STATE_DIR,
    ...(e.ROLLGATE_TOKENS_FILE ? { tokensFile: e.ROLLGATE_TOKENS_FILE } : {}),
    maxConcurrentOperations: e.ROLLGATE_MAX_CONCURRENT_OPERATIONS,
    reaperIntervalSeconds: e.ROLLGATE_REAPER_INTERVAL_SECONDS,
    shutdownTimeoutSeconds: e.ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS,
    previewDefaultTtlHours: e.ROLLGATE_PREVIEW_DEFAULT_TTL_HOURS,
    previewLimits: {
      total: e.ROLLGATE_MAX_PREVIEWS,
      perRepository: e.ROLLGATE_MAX_PREVIEWS_PER_REPOSITORY ?? e.ROLLGATE_MAX_PREVIEWS,
      queuedOperations: e.ROLLGATE_MAX_QUEUED_OPERATIONS,
    },
    smokeChecks: e.ROLLGATE_SMOKE_CHECKS ?? [],
    ...(e.ROLLGATE_SMOKE_BASE_URL ? { smokeBaseUrl: e.ROLLGATE_SMOKE_BASE_URL } : {}),
    previewBaseConfig: e.ROLLGATE_PREVIEW_BASE_CONFIG ?? {},
    metricsAccess: e.ROLLGATE_METRICS_ACCESS,
    releases: {
      ...metricProvider(e),
      ...(e.ROLLGATE_RELEASE_WEBHOOK_URL ? { webhookUrl: e.ROLLGATE_RELEASE_WEBHOOK_URL } : {}),
      deployer: e.ROLLGATE_RELEASE_DEPLOYER,
      ...(e.ROLLGATE_RISK_CONFIG_DIR ? { riskConfigDir: e.ROLLGATE_RISK_CONFIG_DIR } : {}),
      ...(e.ROLLGATE_TRUST_POLICY_DIR ? { trustPolicyDir: e.ROLLGATE_TRUST_POLICY_DIR } : {}),
      ...(e.ROLLGATE_SIGSTORE_TRUSTED_ROOT ? { sigstoreTrustedRoot: e.ROLLGATE_SIGSTORE_TRUSTED_ROOT } : {}),
      settings: {
        pollIntervalSeconds: e.ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS,
        progressDeadlineSeconds: e.ROLLGATE_RELEASE_PROGRESS_DEADLINE_SECONDS,
        onRestart: e.ROLLGATE_RELEASE_ON_RESTART,
      },
    },
    routerSecrets: e.ROLLGATE_CLOUDFLARE_API_TOKEN ? { cloudflare: { apiToken: e.ROLLGATE_CLOUDFLARE_API_TOKEN } } : {},
    databaseUrl: e.ROLLGATE_DATABASE_URL,
    leaseTtlSeconds: e.ROLLGATE_LEASE_TTL_SECONDS,
    ...(e.ROLLGATE_REPLICA_ID ? { replicaId: e.ROLLGATE_REPLICA_ID } : {}),
    github: {
      ...(e.ROLLGATE_GITHUB_WEBHOOK_SECRET ? { webhookSecret: e.ROLLGATE_GITHUB_WEBHOOK_SECRET } : {}),
      ...(e.ROLLGATE_PREVIEW_IMAGE_TEMPLATE ? { imageTemplate: e.ROLLGATE_PREVIEW_IMAGE_TEMPLATE } : {}),
      ...githubAuth(e),
      apiUrl: e.ROLLGATE_GITHUB_API_URL,
      ...(e.ROLLGATE_GITHUB_REPOSITORY ? { repository: e.ROLLGATE_GITHUB_REPOSITORY } : {}),
      statusContext: e.ROLLGATE_GITHUB_STATUS_CONTEXT,
      previewTrigger: { trigger: e.ROLLGATE_PREVIEW_TRIGGER, label: e.ROLLGATE_PREVIEW_LABEL, forks: e.ROLLGATE_PREVIEW_FORKS },
    },
  };
}

function metricProvider(e: z.infer<typeof EnvSchema>): { metricProvider?: MetricProviderConfig } {
  if (e.ROLLGATE_METRIC_PROVIDER) return { metricProvider: e.ROLLGATE_METRIC_PROVIDER };
  if (e.ROLLGATE_PROMETHEUS_URL) return { metricProvider: { kind: "prometheus", baseUrl: e.ROLLGATE_PROMETHEUS_URL } };
  return {};
}

function githubAuth(e: z.infer<typeof EnvSchema>): { auth?: GitHubAuth } {
  if (e.ROLLGATE_GITHUB_TOKEN) return { auth: { kind: "token", token: e.ROLLGATE_GITHUB_TOKEN } };
  const privateKey = e.ROLLGATE_GITHUB_APP_PRIVATE_KEY ?? e.ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE;
  if (e.ROLLGATE_GITHUB_APP_ID && e.ROLLGATE_GITHUB_APP_INSTALLATION_ID && privateKey) {
    return { auth: { kind: "app", appId: e.ROLLGATE_GITHUB_APP_ID, privateKey, installationId: e.ROLLGATE_GITHUB_APP_INSTALLATION_ID } };
  }
  return {};
}
