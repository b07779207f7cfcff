import type * as k8s from "@kubernetes/client-node";

/** The parts of a `gateway.networking.k8s.io/v1` HTTPRoute the tests look at. */
export interface HttpRoute {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Record<string, string> };
  readonly spec: {
    readonly parentRefs: readonly {
      group?: string;
      kind?: string;
      name: string;
      namespace?: string;
      sectionName?: string;
    }[];
    readonly hostnames: readonly string[];
    readonly rules: readonly {
      readonly matches?: readonly unknown[];
      readonly backendRefs: readonly { group?: string; kind?: string; name: string; port: number; weight?: number }[];
    }[];
  };
}

export function readHttpRoute(custom: k8s.CustomObjectsApi, namespace: string, name: string): Promise<HttpRoute> {
  return custom.getNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "httproutes",
    name,
  }) as Promise<HttpRoute>;
}

/** Service name → weight of the route's catch-all (last) rule. */
export function backendWeights(route: HttpRoute): Record<string, number | undefined> {
  const rule = route.spec.rules[route.spec.rules.length - 1];
  return Object.fromEntries((rule?.backendRefs ?? []).map((ref) => [ref.name, ref.weight]));
}
