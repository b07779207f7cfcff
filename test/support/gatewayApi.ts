import type * as k8s from "@kubernetes/client-node";
import { isNotFound } from "./kube";

/** The parts of a `gateway.networking.k8s.io/v1` HTTPRoute the tests look at. */
export interface HttpRoute {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Record<string, string> };
  readonly spec: {
    readonly parentRefs: readonly { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string }[];
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

/** Whether the Deployment exists and reports the `Available` condition with every desired replica available. */
export async function deploymentAvailable(apps: k8s.AppsV1Api, namespace: string, name: string): Promise<boolean> {
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const available = deployment.status?.conditions?.find((condition) => condition.type === "Available");
  return available?.status === "True" && (deployment.status?.availableReplicas ?? 0) === (deployment.spec?.replicas ?? 1);
}

/** Whether `read` fails with 404. */
export async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}
