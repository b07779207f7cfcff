import { kubernetesSdk } from "../../../providerSdks";
import * as pulumi from "@pulumi/pulumi";
import { defined, Problems } from "../../../validation";
import { canaryIngressName, defaultIngressClassName, nginxAnnotations, nginxDefinition } from "./definition";
import { Backend, RouteRequest, RouteResult, TrafficRouter } from "../../router";
import { brakeAnnotations } from "../definition";

/** Settings of the ingress-nginx router. */
export interface NginxSettings {
  /** IngressClass of the ingress-nginx controller. Default `nginx`. */
  readonly ingressClassName?: pulumi.Input<string>;
  /** Scheme of the public URL. Default `http`. */
  readonly scheme?: "http" | "https";
}

export const nginxDefaults = { ingressClassName: defaultIngressClassName, scheme: "http" } as const;

/**
 * ingress-nginx canaries: a primary Ingress to the stable Service and, while
 * a canary exists, a second Ingress for the same hosts marked
 * `canary: "true"` with `canary-weight`. Only the canary Ingress depends on
 * the weight.
 */
export function nginxRouter(settings: NginxSettings = {}): TrafficRouter<"nginx"> {
  new Problems().settings("router", nginxDefinition.settings, settings).throwIfAny("router nginx");
  const nginx = { ...nginxDefaults, ...defined(settings) };
  return {
    kind: nginxDefinition.kind,
    capabilities: nginxDefinition.capabilities,
    scheme: nginx.scheme,
    route(request: RouteRequest): RouteResult {
      const k8s = kubernetesSdk();
      const { stable, canary } = request;
      const ingressSpec = (backend: Backend) => ({
        ingressClassName: nginx.ingressClassName,
        rules: request.hostnames.map((host) => ({
          host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: backend.serviceName, port: { number: backend.port } } },
              },
            ],
          },
        })),
      });

      const primary = new k8s.networking.v1.Ingress(
        `${request.name}-ingress`,
        {
          metadata: { name: request.routeName, namespace: request.namespace, labels: request.labels },
          spec: ingressSpec(stable),
        },
        { parent: request.parent },
      );
      if (!canary) {
        return { resources: [primary] };
      }

      const header = request.headerRoute;
      const canaryIngress = new k8s.networking.v1.Ingress(
        `${request.name}-canary-ingress`,
        {
          metadata: {
            name: canaryIngressName(request.routeName),
            namespace: request.namespace,
            labels: request.labels,
            annotations: {
              ...brakeAnnotations,
              [nginxAnnotations.canary]: "true",
              [nginxAnnotations.canaryWeight]: request.weights.canary.apply(String),
              [nginxAnnotations.canaryWeightTotal]: "100",
              ...(header
                ? { [nginxAnnotations.canaryByHeader]: header.name, [nginxAnnotations.canaryByHeaderValue]: header.value }
                : {}),
            },
          },
          spec: ingressSpec(canary),
        },
        // ingress-nginx only accepts a canary Ingress for hosts a primary Ingress already serves.
        { parent: request.parent, dependsOn: [primary] },
      );
      return { resources: [primary, canaryIngress] };
    },
  };
}
