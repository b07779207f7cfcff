/**
 * Config of the program that deploys Rollgate itself: every
 * `rollgateService:*` key read once and parsed by one zod schema, with the
 * field helpers of `infra/config.ts` and `infra/configInputs.ts`. Bad config fails before any resource,
 * naming every bad key.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { RollgateSecrets } from "../../components/rollgateService";
import { ConfigError, dnsLabel, field, hostname, image, integer, secret, text } from "../config";
import { toBoolean, toList } from "../configInputs";
import {
  serviceConfigNamespace,
  serviceSecretKeys,
  serviceSettingKeys,
  type ServiceConfigKey,
} from "./configKeys";

/** Config as read: strings for settings, `Output`s for secrets. */
export type RawServiceConfig = Partial<Record<ServiceConfigKey, unknown>>;

export interface ServiceConfig {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly hostnames: readonly string[];
  readonly gateway: { readonly name: string; readonly namespace: string };
  readonly managedNamespaces: readonly string[];
  readonly previews: boolean;
  readonly prometheusOperator: boolean;
  readonly prometheusNamespace: string;
  readonly prometheusUrl?: string;
  /** A single-instance PostgreSQL StatefulSet instead of `databaseUrl`: for a trial, not for production. */
  readonly trialDatabase: boolean;
  readonly secrets: RollgateSecrets;
}

export const serviceConfigDefaults = {
  namespace: "rollgate-system",
  replicas: 2,
  gatewayName: "rollgate-gateway",
  gatewayNamespace: "rollgate-system",
  previews: true,
  prometheusOperator: false,
  prometheusNamespace: "monitoring",
  trialDatabase: false,
} as const;

const dnsLabels = field(z.array(z.string().refine((value) => dnsLabel.safeParse(value).success)), "must be a list of DNS labels", toList);
const flag = field(z.boolean(), "must be true or false", toBoolean);

const fields = {
  namespace: dnsLabel,
  image,
  replicas: integer(1, 20),
  hostnames: field(z.array(hostname).min(1), "must be a list of DNS host names", toList),
  gatewayName: dnsLabel,
  gatewayNamespace: dnsLabel,
  managedNamespaces: dnsLabels,
  previews: flag,
  prometheusOperator: flag,
  prometheusNamespace: dnsLabel,
  prometheusUrl: field(text.url(), "must be an http(s) URL"),
  trialDatabase: flag,
  databaseUrl: secret,
  configPassphrase: secret,
  apiTokens: secret,
  backendUrl: secret,
  githubToken: secret,
  githubWebhookSecret: secret,
} satisfies Record<ServiceConfigKey, z.ZodTypeAny>;

type Fields = { [K in ServiceConfigKey]?: z.output<(typeof fields)[K]> };

const requiredKeys = ["image", "hostnames", "configPassphrase", "apiTokens"] as const satisfies readonly ServiceConfigKey[];

function requirements(values: Fields, ctx: z.RefinementCtx): void {
  const problem = (key: ServiceConfigKey, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message });
  for (const key of requiredKeys) {
    if (values[key] === undefined) {
      problem(key, "is required");
    }
  }
  if (values.trialDatabase === true && values.databaseUrl !== undefined) {
    problem("databaseUrl", "must not be set when rollgateService:trialDatabase is true (the trial database provides it)");
  }
  if (values.trialDatabase !== true && values.databaseUrl === undefined) {
    problem("databaseUrl", "is required (or set rollgateService:trialDatabase to true for a trial)");
  }
}

/** `value`, which `requirements` has already checked is set. */
function checked<T>(value: T | undefined, key: ServiceConfigKey): T {
  if (value === undefined) {
    throw new Error(`${serviceConfigNamespace}:${key} is unset although it was checked; this is a bug`);
  }
  return value;
}

function build(values: Fields): ServiceConfig {
  const optionalSecrets = (["databaseUrl", "backendUrl", "githubToken", "githubWebhookSecret"] as const).flatMap((key) =>
    values[key] === undefined ? [] : [[key, values[key]] as const],
  );
  return {
    namespace: values.namespace ?? serviceConfigDefaults.namespace,
    image: checked(values.image, "image"),
    replicas: values.replicas ?? serviceConfigDefaults.replicas,
    hostnames: checked(values.hostnames, "hostnames"),
    gateway: {
      name: values.gatewayName ?? serviceConfigDefaults.gatewayName,
      namespace: values.gatewayNamespace ?? serviceConfigDefaults.gatewayNamespace,
    },
    managedNamespaces: values.managedNamespaces ?? [],
    previews: values.previews ?? serviceConfigDefaults.previews,
    prometheusOperator: values.prometheusOperator ?? serviceConfigDefaults.prometheusOperator,
    prometheusNamespace: values.prometheusNamespace ?? serviceConfigDefaults.prometheusNamespace,
    ...(values.prometheusUrl !== undefined ? { prometheusUrl: values.prometheusUrl } : {}),
    trialDatabase: values.trialDatabase ?? serviceConfigDefaults.trialDatabase,
    secrets: {
      configPassphrase: checked(values.configPassphrase, "configPassphrase"),
      apiTokens: checked(values.apiTokens, "apiTokens"),
      ...Object.fromEntries(optionalSecrets),
    },
  };
}

export const serviceConfigSchema = z.object(fields).superRefine(requirements).transform(build);

/**
 * Parses raw `rollgateService:*` config (keys without the prefix).
 *
 * @throws ConfigError naming every bad key and why.
 */
export function parseServiceConfig(raw: RawServiceConfig): ServiceConfig {
  const result = serviceConfigSchema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({ key: `${serviceConfigNamespace}:${issue.path.map(String).join(".")}`, message: issue.message })),
  );
}

/** Reads every known key; credentials only with `getSecret`, so they never leave the state in plain text. */
export function readRawServiceConfig(config: pulumi.Config = new pulumi.Config(serviceConfigNamespace)): RawServiceConfig {
  const raw: RawServiceConfig = {};
  for (const key of serviceSettingKeys) {
    const value = config.get(key);
    if (value !== undefined) raw[key] = value;
  }
  for (const key of serviceSecretKeys) {
    const value = config.getSecret(key);
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}
