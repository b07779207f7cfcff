import { cloudflareSdk } from "../../../providerSdks";
import * as pulumi from "@pulumi/pulumi";
import { defined, Problems } from "../../../validation";
import { cloudflareDefinition } from "./definition";
import { cloudflarePoolName, loadBalancerHostname } from "./names";
import { RouteRequest, RouteResult, TrafficRouter } from "../../router";

/** Settings of the Cloudflare load-balancer router. */
export interface CloudflareSettings {
  readonly accountId: pulumi.Input<string>;
  readonly zoneId: pulumi.Input<string>;
  /** API token with Load Balancing and DNS edit rights; kept a Pulumi secret. */
  readonly apiToken: pulumi.Input<string>;
  /** Address (host name or IP) of the origin serving the stable track. */
  readonly stableOrigin: pulumi.Input<string>;
  /** Address of the origin serving the canary track (used only while a canary exists). */
  readonly canaryOrigin: pulumi.Input<string>;
  /** Health-check path of the origin monitor. Default `/healthz`. */
  readonly healthPath?: pulumi.Input<string>;
  /** Proxy through Cloudflare (orange cloud). Default true. */
  readonly proxied?: boolean;
}

export const cloudflareDefaults = { healthPath: "/healthz", proxied: true } as const;

/**
 * Cloudflare: a load balancer with a stable pool and (while a canary exists)
 * a canary pool, steered at random with pool weights, and a proxied CNAME per
 * public host name. Uses an explicit provider holding the API token as a
 * secret. Only the load balancer depends on the weight.
 */
export function cloudflareRouter(settings: CloudflareSettings): TrafficRouter<"cloudflare"> {
  new Problems()
    .settings("router", cloudflareDefinition.settings, settings)
    .throwIfAny("router cloudflare");
  const config = { ...cloudflareDefaults, ...defined(settings) };
  return {
    kind: cloudflareDefinition.kind,
    capabilities: cloudflareDefinition.capabilities,
    scheme: "https",
    route(request: RouteRequest): RouteResult {
      const cloudflare = cloudflareSdk();
      const [primaryHost] = request.hostnames;
      if (primaryHost === undefined) {
        throw new Error("router cloudflare: `hostnames` must not be empty");
      }
      const opts = { parent: request.parent };
      const provider = new cloudflare.Provider(
        `${request.name}-cloudflare`,
        { apiToken: pulumi.secret(config.apiToken) },
        opts,
      );
      const withProvider = { ...opts, provider };

      const monitor = new cloudflare.LoadBalancerMonitor(
        `${request.name}-monitor`,
        {
          accountId: config.accountId,
          type: "https",
          method: "GET",
          path: config.healthPath,
          expectedCodes: "2xx",
          interval: 60,
          description: `${request.routeName} health`,
        },
        withProvider,
      );
      const pool = (track: "stable" | "canary", address: pulumi.Input<string>) =>
        new cloudflare.LoadBalancerPool(
          `${request.name}-${track}-pool`,
          {
            accountId: config.accountId,
            name: cloudflarePoolName(request.routeName, track),
            origins: [{ name: track, address, enabled: true, weight: 1 }],
            monitor: monitor.id,
          },
          withProvider,
        );
      const stablePool = pool("stable", config.stableOrigin);
      const canaryPool = request.canary ? pool("canary", config.canaryOrigin) : undefined;

      const hostname = pulumi.output(primaryHost).apply(loadBalancerHostname);
      const poolWeights = pulumi
        .all([stablePool.id, canaryPool?.id, request.weights])
        .apply(([stableId, canaryId, weights]) =>
          canaryId === undefined
            ? { [stableId]: 1 }
            : { [stableId]: weights.stable / 100, [canaryId]: weights.canary / 100 },
        );
      const loadBalancer = new cloudflare.LoadBalancer(
        `${request.name}-load-balancer`,
        {
          zoneId: config.zoneId,
          name: hostname,
          defaultPools: canaryPool ? [stablePool.id, canaryPool.id] : [stablePool.id],
          fallbackPool: stablePool.id,
          steeringPolicy: "random",
          randomSteering: { defaultWeight: 0, poolWeights },
          proxied: config.proxied,
        },
        withProvider,
      );

      const records = request.hostnames.map(
        (host, index) =>
          new cloudflare.DnsRecord(
            `${request.name}-dns-${index}`,
            {
              zoneId: config.zoneId,
              name: host,
              type: "CNAME",
              content: loadBalancer.name,
              proxied: config.proxied,
              // 1 means "automatic", the only TTL Cloudflare accepts for proxied records.
              ttl: config.proxied ? 1 : 300,
              comment: `rollgate: ${request.routeName}`,
            },
            withProvider,
          ),
      );
      return { resources: [provider, monitor, stablePool, ...(canaryPool ? [canaryPool] : []), loadBalancer, ...records] };
    },
  };
}
