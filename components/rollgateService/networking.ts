import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { httpPort, type ServiceScope } from "./scope";

export interface NetworkingArgs {
  readonly hostnames: readonly string[];
  /** The Gateway the HTTPRoute attaches to. */
  readonly gateway: { readonly name: string; readonly namespace: string };
  /** Namespace Prometheus scrapes from; `undefined` when nothing scrapes `/metrics`. */
  readonly prometheusNamespace: string | undefined;
}

export interface Networking {
  readonly serviceName: pulumi.Output<string>;
  readonly url: string;
}

/**
 * Paths published through the Gateway: the API (with the GitHub webhook,
 * `/api/v1/webhooks/github`) and the dashboard. `/metrics`, `/healthz` and
 * `/readyz` stay inside the cluster.
 */
export const publicPathPrefixes = ["/api", "/dashboard"] as const;

/** The Service, the HTTPRoute publishing the API and dashboard, and a NetworkPolicy admitting only the Gateway and Prometheus. */
export function createNetworking(scope: ServiceScope, args: NetworkingArgs): Networking {
  const opts = { parent: scope.parent };
  const metadata = { name: scope.objectName, namespace: scope.namespace, labels: scope.labels };
  const service = new k8s.core.v1.Service(
    `${scope.name}-service`,
    {
      metadata,
      spec: { type: "ClusterIP", selector: scope.selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    },
    opts,
  );

  new k8s.apiextensions.CustomResource(
    `${scope.name}-route`,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata,
      spec: {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway.name, namespace: args.gateway.namespace }],
        hostnames: [...args.hostnames],
        rules: [
          {
            matches: publicPathPrefixes.map((value) => ({ path: { type: "PathPrefix", value } })),
            backendRefs: [{ group: "", kind: "Service", name: service.metadata.name, port: 80 }],
          },
        ],
      },
    },
    opts,
  );

  const fromNamespace = (name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  });
  const sources = [args.gateway.namespace, ...(args.prometheusNamespace === undefined ? [] : [args.prometheusNamespace])];
  new k8s.networking.v1.NetworkPolicy(
    `${scope.name}-network-policy`,
    {
      metadata,
      spec: {
        podSelector: { matchLabels: scope.selector },
        // Ingress only: the service must reach the API server, the database, GitHub and Prometheus, whose
        // addresses are not known here; restricting egress is left to a cluster-specific policy.
        policyTypes: ["Ingress"],
        ingress: [{ from: [...new Set(sources)].map(fromNamespace), ports: [{ port: httpPort, protocol: "TCP" }] }],
      },
    },
    opts,
  );

  return { serviceName: service.metadata.name, url: `https://${args.hostnames[0] ?? ""}` };
}
