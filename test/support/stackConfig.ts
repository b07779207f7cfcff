import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { StackConfig } from "../../automation/engine/port";

/**
 * The `config:` section of a `Pulumi.<stack>.yaml` file as engine config:
 * lists become JSON (as `pulumi config get` returns them), everything else a
 * string. `overrides` (full keys, e.g. `rollgate:namespace`) win.
 */
export function stackConfigFromFile(path: string, overrides: Readonly<Record<string, string>> = {}): StackConfig {
  const document = load(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    values[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }
  return Object.fromEntries(Object.entries({ ...values, ...overrides }).map(([key, value]) => [key, { value }]));
}

/**
 * A release environment's stack config for tests: stable only, one replica
 * per track, behind the local cluster's shared Gateway. `extra` (full keys) wins.
 */
export function releaseStackConfig(
  target: { readonly environment: string; readonly app: string; readonly namespace: string; readonly stableImage: string },
  extra: Readonly<Record<string, string>> = {},
): StackConfig {
  const values: Record<string, string> = {
    "rollgate:environment": target.environment,
    "rollgate:app": target.app,
    "rollgate:namespace": target.namespace,
    "rollgate:router": "gateway-api",
    "rollgate:gatewayName": "rollgate-gateway",
    "rollgate:gatewayNamespace": "rollgate-system",
    "rollgate:stableImage": target.stableImage,
    "rollgate:canaryWeight": "0",
    "rollgate:replicas": "1",
    "rollgate:canaryReplicas": "1",
    "rollgate:port": "8080",
    "rollgate:healthPath": "/healthz",
    "rollgate:prometheusOperator": "false",
    "rollgate:deployedBy": "rollgate-release-controller",
    ...extra,
  };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }]));
}
