/**
 * Stack configuration: every `rollgate:*` key is read once and parsed by ONE
 * zod schema into a typed config. Bad config fails before any resource is
 * created, with one message naming every bad key and why.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isImageDigest, isImageReference } from "../components/image";
import { createdAtProblem } from "../components/previewEnvironment/expiry";
import {
  headerNameProblem,
  headerNameRule,
  headerValueProblem,
  headerValueRule,
  mirrorPercentProblem,
  mirrorPercentRule,
} from "../components/trafficSplit/canaryRouting";
import type { Capability } from "../components/trafficSplit/capabilities";
import { isDnsLabel, prProblem } from "../components/previewEnvironment/naming";
import { defaultRouterKind, routerDefinitions, RouterKind, routerKinds, RouterSpec, type RouterConfigKey } from "../components/trafficSplit/routers/registry";
import { isDns1035Label, isHostname } from "../components/validation";
import { configKeys, configNamespace, programs, type ConfigKey } from "./configKeys";
import { asIs, prepareFor, toBoolean, toList, toNumber, type Prepared } from "./configInputs";

export { configKeys, configNamespace, stackConfigKeys, type ConfigKey } from "./configKeys";

export const environments = ["preview", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/** Keys read with `getSecret`: their values stay Pulumi secrets. */
export const secretConfigKeys = Object.values(routerDefinitions).flatMap((definition) =>
  Object.entries(definition.config).flatMap(([key, { input }]) => (input === "secret" ? [key as ConfigKey] : [])),
);

/** Config as read: strings (objects and lists as JSON or comma-separated), or `Output`s for secrets. */
export type RawConfig = Partial<Record<ConfigKey, unknown>>;

// ---------------------------------------------------------------------------
// Field parsers. Each reports its own problem without aborting the parse, so
// one run names every bad key. Blank strings count as unset.

function show(raw: unknown): string {
  if (pulumi.Output.isInstance(raw)) {
    return "a secret";
  }
  const text = typeof raw === "string" ? raw : (JSON.stringify(raw) ?? String(raw));
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** A field parsed by `schema`; a bad value is reported with `message`, or else with the schema's own message. */
export function field<S extends z.ZodTypeAny>(schema: S, message: string | undefined, prepare: (raw: unknown) => Prepared = asIs) {
  return z.unknown().transform((raw, ctx): z.output<S> | undefined => {
    if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
      return undefined;
    }
    const prepared = prepare(raw);
    // A value that cannot be prepared still goes through the schema, whose message then says what it must be.
    const parsed = schema.safeParse(prepared.ok ? prepared.value : raw);
    if (!prepared.ok || !parsed.success) {
      const why = message ?? parsed.error?.issues[0]?.message ?? "is not valid";
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${why} (got ${show(raw)})` });
      return z.NEVER;
    }
    return parsed.data as z.output<S>;
  });
}

export const text = z.string().min(1);
export const integer = (min: number, max: number) =>
  field(z.number().int().min(min).max(max), `must be an integer from ${min} to ${max}`, toNumber);
export const hostname = z.string().refine(isHostname);
const imageDigest = text.refine(isImageDigest);
export const image = field(text.refine(isImageReference), "must be a container image reference such as ghcr.io/org/app:1.2.3");
export const dnsLabel = field(text.refine(isDnsLabel), "must be a DNS label (a-z, 0-9 and '-', at most 63 characters)");
export const secret = z.unknown().transform((raw, ctx): pulumi.Output<string> | undefined => {
  if (pulumi.Output.isInstance(raw)) {
    return pulumi.secret(raw as pulumi.Output<string>);
  }
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    return undefined;
  }
  if (typeof raw !== "string") {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be a string (set it with --secret)" });
    return z.NEVER;
  }
  return pulumi.secret(raw);
});

/** Every router's config keys, each parsed by the schema of the setting it fills. */
function routerFieldsOf(): Record<RouterConfigKey, z.ZodType<unknown, z.ZodTypeDef, unknown>> {
  const fields = {} as Record<RouterConfigKey, z.ZodType<unknown, z.ZodTypeDef, unknown>>;
  for (const definition of Object.values(routerDefinitions)) {
    for (const [key, { setting, input = "text" }] of Object.entries(definition.config)) {
      const schema = definition.settings.shape[setting];
      if (schema === undefined) throw new Error(`router ${definition.kind}: config key ${key} fills no setting \`${setting}\`; this is a bug`);
      fields[key as RouterConfigKey] = input === "secret" ? secret : field(schema, undefined, prepareFor[input]);
    }
  }
  return fields;
}
const routerFields = routerFieldsOf();

/** The longest app name whose `<app>-preview` Service name is still a DNS label. */
const maxAppLength = 63 - "-preview".length;

const fields = {
  environment: field(z.enum(environments), `must be one of ${environments.join(", ")}`),
  app: field(
    text.max(maxAppLength).refine(isDns1035Label),
    `must be a DNS label starting with a letter, at most ${maxAppLength} characters`,
  ),
  namespace: dnsLabel,
  renderDir: field(text, "must be a directory path"),
  stableImage: image,
  canaryImage: image,
  canaryWeight: integer(0, 100),
  canaryMirrorPercent: field(z.number().refine((percent) => mirrorPercentProblem(percent) === undefined), mirrorPercentRule, toNumber),
  canaryHeaderName: field(text.refine((name) => headerNameProblem(name) === undefined), headerNameRule),
  canaryHeaderValue: field(text.refine((value) => headerValueProblem(value) === undefined), headerValueRule),
  replicas: integer(0, 100),
  canaryReplicas: integer(0, 100),
  port: integer(1, 65535),
  healthPath: field(text.startsWith("/"), 'must be an absolute HTTP path starting with "/"'),
  hostnames: field(z.array(hostname).min(1), "must be a list of DNS host names", toList),
  domain: field(hostname, "must be a DNS domain"),
  router: field(
    z.string().refine((kind): kind is RouterKind => (routerKinds as string[]).includes(kind)),
    `must be one of ${routerKinds.join(", ")}`,
  ),
  ...routerFields,
  prometheusOperator: field(z.boolean(), "must be true or false", toBoolean),
  canaryBaseline: field(z.boolean(), "must be true or false", toBoolean),
  image,
  pr: field(z.number().refine((pr) => prProblem(pr) === undefined), "must be a pull request number (a positive integer)", toNumber),
  branch: field(text, "must be a branch name"),
  commitSha: field(text.regex(/^[0-9a-f]{7,64}$/), "must be a hexadecimal commit SHA"),
  createdAt: field(text.refine((value) => createdAtProblem(value) === undefined), "must be an ISO-8601 instant such as 2025-01-31T12:00:00Z"),
  ttlHours: integer(1, 24 * 90),
  previewDomain: field(hostname, "must be a DNS domain"),
  previewDnsTarget: field(text, "must be a host name or IP address"),
  deployedBy: field(text, "must be text"),
  releaseId: field(text, "must be text"),
  stableVerifiedDigest: field(imageDigest, "must be an image digest (sha256: and 64 hex digits)"),
  canaryVerifiedDigest: field(imageDigest, "must be an image digest (sha256: and 64 hex digits)"),
  program: field(z.enum(programs), `must be one of ${programs.join(", ")}`),
} satisfies Record<ConfigKey, z.ZodTypeAny>;

type Fields = { [K in ConfigKey]?: z.output<(typeof fields)[K]> };

/** Keys each environment needs, and keys it must not have. */
const requiredFor: Record<Environment, readonly ConfigKey[]> = {
  preview: ["image", "pr", "createdAt", "previewDomain"],
  staging: ["stableImage"],
  production: ["stableImage"],
};
const forbiddenFor: Record<Environment, readonly ConfigKey[]> = {
  preview: [
    "stableImage",
    "canaryImage",
    "namespace",
    "canaryMirrorPercent",
    "canaryHeaderName",
    "canaryHeaderValue",
    "canaryBaseline",
    "stableVerifiedDigest",
    "canaryVerifiedDigest",
  ],
  staging: ["image", "pr"],
  production: ["image", "pr"],
};
/** Config keys a router needs: those filling settings without a default. */
function requiredForRouter(kind: RouterKind): ConfigKey[] {
  const definition = routerDefinitions[kind];
  return Object.entries(definition.config).flatMap(([key, { setting }]) =>
    definition.settings.shape[setting]?.isOptional() === false ? [key as ConfigKey] : [],
  );
}

function requirements(values: Fields, ctx: z.RefinementCtx): void {
  const problem = (key: ConfigKey, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message });
  if (values.app === undefined) {
    problem("app", "is required");
  }
  const environment = values.environment;
  if (environment === undefined) {
    problem("environment", `is required (one of ${environments.join(", ")})`);
    return;
  }
  if (typeof environment !== "string") {
    return; // already reported
  }
  for (const key of requiredFor[environment]) {
    if (values[key] === undefined) {
      problem(key, `is required when environment is ${environment}`);
    }
  }
  for (const key of forbiddenFor[environment]) {
    if (values[key] !== undefined) {
      problem(key, `must not be set when environment is ${environment}`);
    }
  }
  if (environment !== "preview" && values.hostnames === undefined && values.domain === undefined) {
    problem("hostnames", `is required when environment is ${environment} (or set rollgate:domain to use <app>.<domain>)`);
  }
  const router = values.router ?? defaultRouterKind;
  if (typeof router === "string") {
    for (const key of requiredForRouter(router)) {
      if (values[key] === undefined) {
        problem(key, `is required when router is ${router}`);
      }
    }
  }
  canaryRoutingRequirements(values, router, problem);
  if (environment === "preview" && values.cloudflareZoneId !== undefined) {
    for (const key of ["cloudflareApiToken", "previewDnsTarget"] as const) {
      if (values[key] === undefined) {
        problem(key, "is required for a preview when rollgate:cloudflareZoneId is set");
      }
    }
  }
  const canaryReplicas = values.canaryReplicas;
  const canaryWeight = values.canaryWeight;
  if (values.canaryImage !== undefined && canaryReplicas === 0 && typeof canaryWeight === "number" && canaryWeight > 0) {
    problem("canaryWeight", "must be 0 while rollgate:canaryReplicas is 0: a canary without pods cannot take traffic");
  }
}

/** The capability each canary routing key needs of the router. */
const canaryRoutingKeys: ReadonlyArray<readonly [ConfigKey, Capability]> = [
  ["canaryMirrorPercent", "mirroring"],
  ["canaryHeaderName", "headerRouting"],
  ["canaryBaseline", "baseline"],
];

/** A header needs both its name and value; mirroring and header routing need a router that renders them. */
function canaryRoutingRequirements(values: Fields, router: unknown, problem: (key: ConfigKey, message: string) => void): void {
  if ((values.canaryHeaderName === undefined) !== (values.canaryHeaderValue === undefined)) {
    const missing = values.canaryHeaderName === undefined ? "canaryHeaderName" : "canaryHeaderValue";
    problem(missing, `is required when rollgate:${missing === "canaryHeaderName" ? "canaryHeaderValue" : "canaryHeaderName"} is set`);
  }
  if (typeof router !== "string" || !(routerKinds as string[]).includes(router)) return;
  for (const [key, capability] of canaryRoutingKeys) {
    if (values[key] !== undefined && values[key] !== false && !routerDefinitions[router as RouterKind].capabilities[capability]) {
      problem(key, `must not be set when router is ${router}: it does not support ${capability}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Typed config.

export interface ReleaseMetadataConfig {
  readonly deployedBy?: string;
  readonly releaseId?: string;
}

/** The digests the supply-chain gate verified for each track's image (`rollgate.dev/verified-digest`). */
export interface VerifiedDigestsConfig {
  readonly stable?: string;
  readonly canary?: string;
}

interface CommonConfig {
  readonly app: string;
  readonly renderDir?: string;
  readonly port: number;
  readonly healthPath: string;
  readonly replicas: number;
  readonly router: RouterSpec;
  readonly prometheusOperator: boolean;
  readonly release: ReleaseMetadataConfig;
}

/** A staging or production stack: a namespace and a canary release. */
export interface ReleaseConfig extends CommonConfig {
  readonly environment: "staging" | "production";
  readonly namespace: string;
  readonly hostnames: readonly string[];
  readonly stableImage: string;
  readonly canaryImage?: string;
  readonly verifiedDigests: VerifiedDigestsConfig;
  readonly canaryWeight: number;
  /** Pinned canary replicas; unset, they follow the weight. */
  readonly canaryReplicas?: number;
  /** Percent of the traffic copied to the canary (a release's mirror step). */
  readonly canaryMirrorPercent?: number;
  /** Requests with this header go to the canary (a release's header step). */
  readonly canaryHeader?: { readonly name: string; readonly value: string };
  /** A baseline runs beside the canary (a release comparing against it). */
  readonly canaryBaseline: boolean;
}

/** A preview stack: one pull request's environment. */
export interface PreviewConfig extends CommonConfig {
  readonly environment: "preview";
  readonly image: string;
  readonly pr: number;
  /** Unknown for previews created from an image alone. */
  readonly branch?: string;
  readonly commitSha?: string;
  readonly createdAt: string;
  readonly ttlHours: number;
  readonly previewDomain: string;
  readonly dns?: { readonly zoneId: string; readonly apiToken: pulumi.Output<string>; readonly target: string };
}

export type RollgateConfig = ReleaseConfig | PreviewConfig;

export const configDefaults = {
  canaryWeight: 0,
  port: 8080,
  healthPath: "/healthz",
  ttlHours: 72,
  prometheusOperator: false,
  router: defaultRouterKind,
  /** Stable replicas by environment. */
  replicas: { preview: 1, staging: 1, production: 2 },
} as const;

/** `value`, which `requirements` has already checked is set. */
function checked<T>(value: T | undefined, key: ConfigKey): T {
  if (value === undefined) {
    throw new Error(`rollgate:${key} is unset although it was checked; this is a bug`);
  }
  return value;
}

/** The chosen router's settings from its config keys, each already parsed by its setting's schema. */
function routerSpec(values: Fields): RouterSpec {
  const kind = values.router ?? configDefaults.router;
  const settings = Object.entries(routerDefinitions[kind].config).flatMap(([key, { setting }]) => {
    const value = values[key as ConfigKey];
    return value === undefined ? [] : [[setting, value] as const];
  });
  // Every value passed its setting's schema and `requirements` saw the required ones, so these are `kind`'s settings
  // (registry.ts checks that what the schemas give fits each factory).
  return { kind, ...Object.fromEntries(settings) } as RouterSpec;
}

function build(values: Fields): RollgateConfig {
  const environment = checked(values.environment, "environment");
  const app = checked(values.app, "app");
  const common: CommonConfig = {
    app,
    ...(values.renderDir !== undefined ? { renderDir: values.renderDir } : {}),
    port: values.port ?? configDefaults.port,
    healthPath: values.healthPath ?? configDefaults.healthPath,
    replicas: values.replicas ?? configDefaults.replicas[environment],
    router: routerSpec(values),
    prometheusOperator: values.prometheusOperator ?? configDefaults.prometheusOperator,
    release: {
      ...(values.deployedBy !== undefined ? { deployedBy: values.deployedBy } : {}),
      ...(values.releaseId !== undefined ? { releaseId: values.releaseId } : {}),
    },
  };
  if (environment === "preview") {
    // The Cloudflare router's zone and token, reused for preview DNS records.
    const zoneId = values.cloudflareZoneId as string | undefined;
    return {
      ...common,
      environment,
      image: checked(values.image, "image"),
      pr: checked(values.pr, "pr"),
      ...(values.branch !== undefined ? { branch: values.branch } : {}),
      ...(values.commitSha !== undefined ? { commitSha: values.commitSha } : {}),
      createdAt: checked(values.createdAt, "createdAt"),
      ttlHours: values.ttlHours ?? configDefaults.ttlHours,
      previewDomain: checked(values.previewDomain, "previewDomain"),
      ...(zoneId !== undefined
        ? {
            dns: {
              zoneId,
              apiToken: checked(values.cloudflareApiToken as pulumi.Output<string> | undefined, "cloudflareApiToken"),
              target: checked(values.previewDnsTarget, "previewDnsTarget"),
            },
          }
        : {}),
    };
  }
  return {
    ...common,
    environment,
    namespace: values.namespace ?? `${app}-${environment}`,
    hostnames: values.hostnames ?? [`${app}.${checked(values.domain, "domain")}`],
    stableImage: checked(values.stableImage, "stableImage"),
    ...(values.canaryImage !== undefined ? { canaryImage: values.canaryImage } : {}),
    verifiedDigests: {
      ...(values.stableVerifiedDigest !== undefined ? { stable: values.stableVerifiedDigest } : {}),
      ...(values.canaryVerifiedDigest !== undefined ? { canary: values.canaryVerifiedDigest } : {}),
    },
    canaryWeight: values.canaryWeight ?? configDefaults.canaryWeight,
    ...(values.canaryReplicas !== undefined ? { canaryReplicas: values.canaryReplicas } : {}),
    ...(values.canaryMirrorPercent !== undefined ? { canaryMirrorPercent: values.canaryMirrorPercent } : {}),
    canaryBaseline: values.canaryBaseline ?? false,
    ...(values.canaryHeaderName !== undefined
      ? { canaryHeader: { name: values.canaryHeaderName, value: checked(values.canaryHeaderValue, "canaryHeaderValue") } }
      : {}),
  };
}

/** The one schema: raw `rollgate:*` values → typed {@link RollgateConfig}. */
export const configSchema = z.object(fields).superRefine(requirements).transform(build);

/** One problem with stack config. */
export interface ConfigIssue {
  /** Full key, e.g. `rollgate:canaryWeight`. */
  readonly key: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid stack config (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):\n` +
        issues.map((issue) => `  - ${issue.key} ${issue.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/**
 * Parses raw stack config (keys without the `rollgate:` prefix).
 *
 * @throws ConfigError naming every bad key and why.
 */
export function parseConfig(raw: RawConfig): RollgateConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      key: `${configNamespace}:${issue.path.map(String).join(".")}`,
      message: issue.message,
    })),
  );
}

/** Reads every known key from the stack's `rollgate` config; secrets stay secret. */
export function readRawConfig(config: pulumi.Config = new pulumi.Config(configNamespace)): RawConfig {
  const raw: RawConfig = {};
  for (const key of configKeys) {
    const value = secretConfigKeys.includes(key) ? config.getSecret(key) : config.get(key);
    if (value !== undefined) {
      raw[key] = value;
    }
  }
  return raw;
}
