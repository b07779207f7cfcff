/**
 * Stack config for Rollgate deploying itself (`rollgate:program: service`) on
 * the local cluster, as a team would set it: plain settings and the
 * credentials as Pulumi secrets.
 */
import type { StackConfig } from "../../automation/engine/port";

export interface ServiceStackSettings {
  /** Where the service runs. */
  readonly namespace: string;
  /** Namespaces its releases deploy to: each gets a RoleBinding (they must exist first). */
  readonly managedNamespaces: readonly string[];
  /** Whether the service may create preview namespaces (binds the namespaced rules cluster-wide). */
  readonly previews: boolean;
}

/** The name of the service's objects (Deployment, ServiceAccount, ClusterRole prefix) under the stack's defaults. */
export const serviceObjectName = "rollgate";

export function serviceStackConfig(settings: ServiceStackSettings): StackConfig {
  const plain: Record<string, string> = {
    "rollgate:program": "service",
    "rollgateService:namespace": settings.namespace,
    "rollgateService:image": "ghcr.io/rollgate/rollgate:0.1.0",
    "rollgateService:replicas": "2",
    "rollgateService:hostnames": JSON.stringify(["rollgate.it.localhost"]),
    "rollgateService:gatewayName": "rollgate-gateway",
    "rollgateService:gatewayNamespace": "rollgate-system",
    "rollgateService:managedNamespaces": JSON.stringify(settings.managedNamespaces),
    "rollgateService:previews": String(settings.previews),
    "rollgateService:prometheusOperator": "false",
  };
  const secrets: Record<string, string> = {
    "rollgateService:databaseUrl": "postgres://rollgate:it-password@db.example.test:5432/rollgate",
    "rollgateService:configPassphrase": "it-passphrase",
    "rollgateService:apiTokens": JSON.stringify({ "it-token-value-0123456789": ["previews:read"] }),
  };
  return {
    ...Object.fromEntries(Object.entries(plain).map(([key, value]) => [key, { value }])),
    ...Object.fromEntries(Object.entries(secrets).map(([key, value]) => [key, { value, secret: true }])),
  };
}
