/**
 * The narrow interface every traffic router implements. A router turns a
 * weight split between a stable and an optional canary backend into the
 * resources of one traffic layer (Gateway API, Istio, ingress-nginx,
 * Cloudflare, AWS ALB). One implementation per file in `routers/`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RouterCapabilities } from "./capabilities";
import { Weights } from "./weights";

/** A Kubernetes Service that receives one track's traffic. */
export interface Backend {
  readonly serviceName: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
}

/** Requests carrying this header (exact value) go to the canary whatever the weight. */
export interface HeaderRoute {
  readonly name: string;
  readonly value: pulumi.Input<string>;
}

/** What a router is asked to build. */
export interface RouteRequest {
  /** Prefix of the Pulumi names of the resources the router creates. */
  readonly name: string;
  /** Name of the route objects in the cluster or cloud, usually the app name. */
  readonly routeName: string;
  readonly namespace: pulumi.Input<string>;
  /** Public host names; at least one. */
  readonly hostnames: readonly pulumi.Input<string>[];
  readonly stable: Backend;
  /** Absent when there is no canary: then nothing may refer to a canary. */
  readonly canary?: Backend;
  /** Stable's image at the canary's size, taking `weights.baseline`; only passed to routers that declare `baseline`, with a canary. */
  readonly baseline?: Backend;
  readonly weights: pulumi.Output<Weights>;
  /** Only passed to routers that declare `headerRouting`. */
  readonly headerRoute?: HeaderRoute;
  /** Percent (1–100) of the traffic copied to the canary, responses discarded; only for routers that declare `mirroring`. */
  readonly mirrorPercent?: number;
  /** Labels for Kubernetes objects the router creates. */
  readonly labels: Readonly<Record<string, string>>;
  /** Parent of every resource the router creates. */
  readonly parent: pulumi.Resource;
}

/** Target groups for CloudWatch alarms, returned by routers that front an AWS load balancer. */
export interface CloudWatchTargets {
  readonly region?: pulumi.Input<string>;
  /** Load balancer ARN suffix (`app/<name>/<id>`), the `LoadBalancer` dimension. */
  readonly loadBalancer: pulumi.Input<string>;
  /** Target group ARN suffixes (`targetgroup/<name>/<id>`), the `TargetGroup` dimension. */
  readonly targetGroups: { readonly stable: pulumi.Input<string>; readonly canary?: pulumi.Input<string> };
}

export interface RouteResult {
  /** Every resource the router created; only these may change when only the weight changes. */
  readonly resources: readonly pulumi.Resource[];
  readonly cloudWatch?: CloudWatchTargets;
}

export interface TrafficRouter<K extends string = string> {
  readonly kind: K;
  readonly capabilities: RouterCapabilities;
  /** Scheme of the public URL this router serves. */
  readonly scheme: "http" | "https";
  /** Namespace of the in-cluster proxy that forwards the route's traffic to the pods (network policies admit it); absent when the router has none it knows. */
  readonly proxyNamespace?: pulumi.Input<string>;
  /** Creates the resources that send `request.weights` to the backends. */
  route(request: RouteRequest): RouteResult;
}
