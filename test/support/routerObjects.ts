/**
 * The canary's live weight as each in-cluster router's own object in the
 * cluster says it, read here independently of the router definitions under
 * test: the HTTPRoute's last rule, the canary Ingress's ingress-nginx
 * annotations, the VirtualService's weighted `http` route.
 */
import type * as k8s from "@kubernetes/client-node";
import { backendWeights, readHttpRoute } from "./gatewayApi";
import { isNotFound } from "./kube";

export type InClusterRouter = "gateway-api" | "nginx" | "istio";

/** Stack config (full keys) that puts an environment on `router`, on top of `releaseStackConfig`'s Gateway API defaults. */
export function routerStackConfig(router: InClusterRouter): Record<string, string> {
  switch (router) {
    case "gateway-api":
      return {};
    case "nginx":
      return { "rollgate:router": "nginx", "rollgate:nginxIngressClass": "nginx" };
    case "istio":
      return { "rollgate:router": "istio", "rollgate:istioGateways": JSON.stringify(["mesh"]) };
  }
}

interface Annotated {
  readonly metadata?: { readonly annotations?: Record<string, string> };
}

interface VirtualService {
  readonly spec?: { readonly http?: readonly { readonly route?: readonly { destination: { host: string }; weight?: number }[] }[] };
}

async function nginxCanaryWeight(networking: k8s.NetworkingV1Api, namespace: string, app: string): Promise<number> {
  let ingress: Annotated;
  try {
    ingress = await networking.readNamespacedIngress({ namespace, name: `${app}-canary` });
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  const annotations = ingress.metadata?.annotations ?? {};
  if (annotations["nginx.ingress.kubernetes.io/canary"] !== "true") throw new Error("the canary Ingress is not marked canary");
  return Number(annotations["nginx.ingress.kubernetes.io/canary-weight"] ?? "0");
}

async function istioCanaryWeight(custom: k8s.CustomObjectsApi, namespace: string, app: string, canaryService: string): Promise<number> {
  const virtualService = (await custom.getNamespacedCustomObject({
    group: "networking.istio.io",
    version: "v1",
    namespace,
    plural: "virtualservices",
    name: app,
  })) as VirtualService;
  const weighted = (virtualService.spec?.http ?? []).find((route) => (route.route ?? []).length > 1 || route.route?.[0]?.weight !== undefined);
  const destinations = weighted?.route ?? virtualService.spec?.http?.at(-1)?.route ?? [];
  return destinations.find((entry) => entry.destination.host.split(".")[0] === canaryService)?.weight ?? 0;
}

/** The canary Service's share on `router`'s live object for app `app` in `namespace`. */
export function liveCanaryWeight(
  router: InClusterRouter,
  clients: { readonly custom: k8s.CustomObjectsApi; readonly networking: k8s.NetworkingV1Api },
  target: { readonly namespace: string; readonly app: string; readonly canaryService: string },
): Promise<number> {
  switch (router) {
    case "gateway-api":
      return readHttpRoute(clients.custom, target.namespace, target.app).then((route) => backendWeights(route)[target.canaryService] ?? 0);
    case "nginx":
      return nginxCanaryWeight(clients.networking, target.namespace, target.app);
    case "istio":
      return istioCanaryWeight(clients.custom, target.namespace, target.app, target.canaryService);
  }
}
