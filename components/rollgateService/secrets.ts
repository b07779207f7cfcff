import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceScope } from "./scope";

/** The service's credentials, each a Pulumi secret. */
export interface RollgateSecrets {
  /** `ROLLGATE_DATABASE_URL`: the shared store (releases, audit, leases). Unset only with the trial database. */
  readonly databaseUrl?: pulumi.Input<string>;
  /** `PULUMI_CONFIG_PASSPHRASE`: encrypts the managed stacks' secrets. */
  readonly configPassphrase: pulumi.Input<string>;
  /** Contents of the API tokens file (`ROLLGATE_TOKENS_FILE`). */
  readonly apiTokens: pulumi.Input<string>;
  /** `PULUMI_BACKEND_URL`. Default: the database URL (the `postgres://` state backend). */
  readonly backendUrl?: pulumi.Input<string>;
  /** `ROLLGATE_GITHUB_TOKEN`, for commit statuses and PR comments. */
  readonly githubToken?: pulumi.Input<string>;
  /** `ROLLGATE_GITHUB_WEBHOOK_SECRET`, to verify GitHub's webhook signatures. */
  readonly githubWebhookSecret?: pulumi.Input<string>;
}

/** Where each secret goes: a key of the Kubernetes Secret, read as an environment variable or mounted as a file. */
export const secretEntries = {
  databaseUrl: { key: "database-url", env: "ROLLGATE_DATABASE_URL" },
  configPassphrase: { key: "config-passphrase", env: "PULUMI_CONFIG_PASSPHRASE" },
  apiTokens: { key: "api-tokens", file: "tokens.json" },
  backendUrl: { key: "backend-url", env: "PULUMI_BACKEND_URL" },
  githubToken: { key: "github-token", env: "ROLLGATE_GITHUB_TOKEN" },
  githubWebhookSecret: { key: "github-webhook-secret", env: "ROLLGATE_GITHUB_WEBHOOK_SECRET" },
} as const satisfies Record<keyof RollgateSecrets, { key: string; env?: string; file?: string }>;

/** Directory the secret files (the tokens file) are mounted in. */
export const secretFilesDir = "/etc/rollgate/secrets";

export interface CreatedSecret {
  readonly secretName: pulumi.Output<string>;
  /** The Secret's keys that hold a value. */
  readonly keys: ReadonlySet<string>;
}

/** The credentials once the database is known (the user's, or the trial database). */
export type ResolvedSecrets = RollgateSecrets & { readonly databaseUrl: pulumi.Input<string> };

/** One Secret holding every credential given; values stay Pulumi secrets in the state. */
export function createSecret(scope: ServiceScope, secrets: ResolvedSecrets): CreatedSecret {
  const given = { ...secrets, backendUrl: secrets.backendUrl ?? secrets.databaseUrl };
  const stringData: Record<string, pulumi.Output<string>> = {};
  for (const [field, { key }] of Object.entries(secretEntries)) {
    const value = given[field as keyof RollgateSecrets];
    if (value !== undefined) {
      stringData[key] = pulumi.secret(value);
    }
  }
  const secret = new k8s.core.v1.Secret(
    `${scope.name}-secret`,
    { metadata: { name: scope.objectName, namespace: scope.namespace, labels: scope.labels }, type: "Opaque", stringData },
    { parent: scope.parent },
  );
  return { secretName: secret.metadata.name, keys: new Set(Object.keys(stringData)) };
}
