import { kubernetesSdk } from "../../../providerSdks";
import * as pulumi from "@pulumi/pulumi";
import { defined, Problems } from "../../../validation";
import { istioDefinition } from "./definition";
import { Backend, RouteRequest, RouteResult, TrafficRouter } from "../../router";
import { brakeAnnotations } from "../definition";

/** Settings of the Istio router. */
export interface IstioSettings {
  /** Istio Gateways (`namespace/name`) the VirtualService binds to; `mesh` means sidecars. Default `["mesh"]`. */
  readonly gateways?: readonly pulumi.Input<string>[];
  /** Scheme of the public URL. Default `http`. */
  readonly scheme?: "http" | "https";
}

export const istioDefaults = { gateways: ["mesh"], scheme: "http" } as const;

/**
 * Istio host-level splitting: a VirtualService (`networking.istio.io/v1`)
 * with one weighted destination per track's Service, and a DestinationRule
 * per Service (outlier detection, so a failing canary pod is ejected).
 * Only the VirtualService depends on the weight.
 */
export function istioRouter(settings: IstioSettings = {}): TrafficRouter<"istio"> {
  new Problems().settings("router", istioDefinition.settings, settings).throwIfAny("router istio");
  const istio = { ...istioDefaults, ...defined(settings) };
  return {
    kind: istioDefinition.kind,
    capabilities: istioDefinition.capabilities,
    scheme: istio.scheme,
    route(request: RouteRequest): RouteResult {
      const k8s = kubernetesSdk();
      const { stable, canary, weights } = request;
      const host = (backend: Backend) =>
        pulumi.interpolate`${backend.serviceName}.${request.namespace}.svc.cluster.local`;
      const destination = (backend: Backend) => ({ host: host(backend), port: { number: backend.port } });

      const http: Record<string, unknown>[] = [];
      if (canary && request.headerRoute) {
        http.push({
          name: "header",
          // Istio matches header keys in lowercase only; HTTP header names are case-insensitive.
          match: [{ headers: { [request.headerRoute.name.toLowerCase()]: { exact: request.headerRoute.value } } }],
          route: [{ destination: destination(canary), weight: 100 }],
        });
      }
      http.push({
        name: "weighted",
        route: [
          { destination: destination(stable), weight: weights.stable },
          ...(canary ? [{ destination: destination(canary), weight: weights.canary }] : []),
        ],
        ...(canary && request.mirrorPercent !== undefined
          ? { mirror: destination(canary), mirrorPercentage: { value: request.mirrorPercent } }
          : {}),
      });

      const destinationRule = (track: string, backend: Backend) =>
        new k8s.apiextensions.CustomResource(
          `${request.name}-${track}-destinationrule`,
          {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: {
              name: backend.serviceName,
              namespace: request.namespace,
              labels: request.labels,
            },
            spec: {
              host: host(backend),
              trafficPolicy: {
                outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s" },
              },
            },
          },
          { parent: request.parent },
        );

      const rules = [destinationRule("stable", stable), ...(canary ? [destinationRule("canary", canary)] : [])];
      const virtualService = new k8s.apiextensions.CustomResource(
        `${request.name}-virtualservice`,
        {
          apiVersion: "networking.istio.io/v1",
          kind: "VirtualService",
          metadata: { name: request.routeName, namespace: request.namespace, labels: request.labels, annotations: { ...brakeAnnotations } },
          spec: { hosts: request.hostnames, gateways: istio.gateways, http },
        },
        { parent: request.parent, dependsOn: rules },
      );
      return { resources: [...rules, virtualService] };
    },
  };
}
