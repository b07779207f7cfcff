/**
 * The config keys of the program that deploys Rollgate itself
 * (`rollgate:program: service`): the one definition of their names. They sit
 * in their own namespace, `rollgateService:`, so none shares a name (and a
 * meaning) with the application's `rollgate:*` keys.
 */
export const serviceConfigNamespace = "rollgateService";

/** Plain settings. */
export const serviceSettingKeys = [
  "namespace",
  "image",
  "replicas",
  "hostnames",
  "gatewayName",
  "gatewayNamespace",
  "managedNamespaces",
  "previews",
  "prometheusOperator",
  "prometheusNamespace",
  "prometheusUrl",
  "trialDatabase",
] as const;

/** Credentials: read with `getSecret`, so they stay Pulumi secrets; set each with `pulumi config set --secret`. */
export const serviceSecretKeys = ["databaseUrl", "configPassphrase", "apiTokens", "backendUrl", "githubToken", "githubWebhookSecret"] as const;

export type ServiceSettingKey = (typeof serviceSettingKeys)[number];
export type ServiceSecretKey = (typeof serviceSecretKeys)[number];
export type ServiceConfigKey = ServiceSettingKey | ServiceSecretKey;
