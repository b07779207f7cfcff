/** The cluster objects the local data plane follows, read leniently (only the fields it uses). */
import { KubeApiError, type KubeClient } from "../cluster/kubeClient";

export interface Metadata {
  readonly namespace?: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly generation?: number;
}

export interface Deployment {
  readonly metadata?: Metadata;
  readonly spec?: {
    readonly replicas?: number;
    readonly template?: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
      readonly spec?: { readonly containers?: readonly { readonly image?: string; readonly env?: readonly { readonly name?: string; readonly value?: string }[] }[] };
    };
  };
}

export interface Service {
  readonly metadata?: Metadata;
  readonly spec?: { readonly selector?: Readonly<Record<string, string>> };
}

export interface BackendRef {
  readonly name?: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly weight?: number;
}

export interface ParentRef {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly sectionName?: string;
}

export interface RouteParentStatus {
  readonly parentRef?: ParentRef;
  readonly controllerName?: string;
  readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly observedGeneration?: number }[];
}

export interface HttpRoute {
  readonly metadata?: Metadata;
  readonly spec?: {
    readonly parentRefs?: readonly ParentRef[];
    readonly hostnames?: readonly string[];
    readonly rules?: readonly { readonly backendRefs?: readonly BackendRef[] }[];
  };
  readonly status?: { readonly parents?: readonly RouteParentStatus[] };
}

export interface Ingress {
  readonly metadata?: Metadata;
  readonly spec?: { readonly ingressClassName?: string };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] } };
}

export interface ClusterObjects {
  readonly deployments: readonly Deployment[];
  readonly services: readonly Service[];
  readonly routes: readonly HttpRoute[];
  readonly ingresses: readonly Ingress[];
}

/** Lists every namespace's Deployments, Services, HTTPRoutes (no route CRD yet: no routes) and Ingresses. */
export async function readClusterObjects(client: Pick<KubeClient, "get">): Promise<ClusterObjects> {
  const items = async <T>(path: string): Promise<T[]> => ((await client.get(path)) as { items?: T[] }).items ?? [];
  const [deployments, services, routes, ingresses] = await Promise.all([
    items<Deployment>("/apis/apps/v1/deployments"),
    items<Service>("/api/v1/services"),
    items<HttpRoute>("/apis/gateway.networking.k8s.io/v1/httproutes").catch((error: unknown) => {
      if (error instanceof KubeApiError && error.code === 404) return [];
      throw error;
    }),
    items<Ingress>("/apis/networking.k8s.io/v1/ingresses"),
  ]);
  return { deployments, services, routes, ingresses };
}
