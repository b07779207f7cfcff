import { kubernetesSdk } from "../../../providerSdks";
import * as pulumi from "@pulumi/pulumi";
import { defined, Problems } from "../../../validation";
import { gatewayApiDefinition } from "./definition";
import { Backend, RouteRequest, RouteResult, TrafficRouter } from "../../router";
import { brakeAnnotations } from "../definition";

/** Settings of the Gateway API router: the Gateway the HTTPRoute attaches to. */
export interface GatewayApiSettings {
  /** Name of the parent Gateway. Default `rollgate-gateway`. */
  readonly gatewayName?: pulumi.Input<string>;
  /** Namespace of the parent Gateway. Default `rollgate-system`. */
  readonly gatewayNamespace?: pulumi.Input<string>;
  /** Listener of the Gateway to attach to; all listeners when left out. */
  readonly sectionName?: pulumi.Input<string>;
  /** Scheme of the public URL. Default `http`. */
  readonly scheme?: "http" | "https";
}

export const gatewayApiDefaults = {
  gatewayName: "rollgate-gateway",
  gatewayNamespace: "rollgate-system",
  scheme: "http",
} as const;

/**
 * Gateway API: one HTTPRoute (`gateway.networking.k8s.io/v1`) with weighted
 * `backendRefs`. Header routing is a more specific rule sending the header to
 * the canary; mirroring is a `RequestMirror` filter on the weighted rule.
 */
export function gatewayApiRouter(settings: GatewayApiSettings = {}): TrafficRouter<"gateway-api"> {
  new Problems().settings("router", gatewayApiDefinition.settings, settings).throwIfAny("router gateway-api");
  const gateway = { ...gatewayApiDefaults, ...defined(settings) };
  return {
    kind: gatewayApiDefinition.kind,
    capabilities: gatewayApiDefinition.capabilities,
    scheme: gateway.scheme,
    proxyNamespace: gateway.gatewayNamespace,
    route(request: RouteRequest): RouteResult {
      const k8s = kubernetesSdk();
      const { stable, canary, baseline, weights } = request;
      const weighted = [
        backendRef(stable, weights.stable),
        ...(canary ? [backendRef(canary, weights.canary)] : []),
        ...(canary && baseline ? [backendRef(baseline, weights.baseline)] : []),
      ];
      // The weighted rule stays first for readers that take `rules[0]` as the split (the local gateway does):
      // the header rule wins anyway, as a match with a header is more specific whatever the rule order.
      const rules: Record<string, unknown>[] = [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: weighted,
          ...(canary && request.mirrorPercent !== undefined ? { filters: [requestMirror(canary, request.mirrorPercent)] } : {}),
        },
      ];
      if (canary && request.headerRoute) {
        rules.push({
          matches: [
            {
              path: { type: "PathPrefix", value: "/" },
              headers: [{ type: "Exact", name: request.headerRoute.name, value: request.headerRoute.value }],
            },
          ],
          backendRefs: [backendRef(canary, 100)],
        });
      }

      const route = new k8s.apiextensions.CustomResource(
        `${request.name}-httproute`,
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: request.routeName, namespace: request.namespace, labels: request.labels, annotations: { ...brakeAnnotations } },
          spec: {
            parentRefs: [
              {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: gateway.gatewayName,
                namespace: gateway.gatewayNamespace,
                ...(gateway.sectionName !== undefined ? { sectionName: gateway.sectionName } : {}),
              },
            ],
            hostnames: request.hostnames,
            rules,
          },
        },
        { parent: request.parent },
      );
      return { resources: [route] };
    },
  };
}

function serviceRef(backend: Backend) {
  return { group: "", kind: "Service", name: backend.serviceName, port: backend.port };
}

/**
 * The `RequestMirror` filter copying `percent` of the rule's requests to the
 * canary. Below 100 it sets `percent`, which needs the Gateway API 1.3 standard
 * channel (or the 1.2 experimental one): older CRDs drop the field, and the
 * gateway then mirrors everything. At 100 it leaves it out, which every
 * version reads as "all".
 */
function requestMirror(canary: Backend, percent: number) {
  return {
    type: "RequestMirror",
    requestMirror: { backendRef: serviceRef(canary), ...(percent < 100 ? { percent } : {}) },
  };
}

function backendRef(backend: Backend, weight: pulumi.Input<number>) {
  return { ...serviceRef(backend), weight };
}
