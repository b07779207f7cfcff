import { awsSdk, kubernetesSdk } from "../../../providerSdks";
import * as pulumi from "@pulumi/pulumi";
import { defined, Problems } from "../../../validation";
import { awsDefinition, listenerArnPattern } from "./definition";
import { targetGroupNamePrefix } from "./names";
import { Backend, RouteRequest, RouteResult, TrafficRouter } from "../../router";

/** Settings of the AWS Application Load Balancer router. */
export interface AwsSettings {
  /** ARN of the ALB listener the rule is added to. */
  readonly listenerArn: pulumi.Input<string>;
  /** VPC of the target groups (the cluster's VPC). */
  readonly vpcId: pulumi.Input<string>;
  /**
   * Priority of the weighted listener rule (2–50000, unique on the listener).
   * The header rule, when there is one, takes `priority - 1`.
   */
  readonly priority: number;
  /** Region of the load balancer; the provider's region when left out. */
  readonly region?: pulumi.Input<string>;
  /** Target group health-check path. Default `/healthz`. */
  readonly healthPath?: pulumi.Input<string>;
  /**
   * Create a `TargetGroupBinding` (AWS Load Balancer Controller) per track so
   * the Service's pod IPs are registered in its target group. Default true.
   */
  readonly bindTargets?: boolean;
  /** Scheme of the public URL. Default `https`. */
  readonly scheme?: "http" | "https";
}

export const awsDefaults = { healthPath: "/healthz", bindTargets: true, scheme: "https" } as const;

/** The `LoadBalancer` CloudWatch dimension (`app/<name>/<id>`) of the ALB owning `listenerArn`. */
export function loadBalancerArnSuffix(listenerArn: string): string {
  const suffix = listenerArnPattern.exec(listenerArn)?.[1];
  if (suffix === undefined) {
    throw new Error(`\`router.listenerArn\` must be an ALB listener ARN (got "${listenerArn}")`);
  }
  return suffix;
}

/**
 * AWS ALB: one target group per track and a listener rule forwarding to them
 * with weights (plus, with header routing, a rule sending the header to the
 * canary). Only the weighted listener rule depends on the weight.
 */
export function awsRouter(settings: AwsSettings): TrafficRouter<"aws"> {
  new Problems()
    .settings("router", awsDefinition.settings, settings)
    .throwIfAny("router aws");
  const config = { ...awsDefaults, ...defined(settings) };
  return {
    kind: awsDefinition.kind,
    capabilities: awsDefinition.capabilities,
    scheme: config.scheme,
    route(request: RouteRequest): RouteResult {
      const k8s = kubernetesSdk();
      const aws = awsSdk();
      const opts = { parent: request.parent };
      const targetGroup = (track: "stable" | "canary", backend: Backend) => {
        const group = new aws.lb.TargetGroup(
          `${request.name}-${track}-target-group`,
          {
            // Auto-named from a prefix: a fixed name would block create-before-replace.
            namePrefix: targetGroupNamePrefix[track],
            port: backend.port,
            protocol: "HTTP",
            targetType: "ip",
            vpcId: config.vpcId,
            region: config.region,
            deregistrationDelay: 30,
            healthCheck: { path: config.healthPath, matcher: "200-399", interval: 10, healthyThreshold: 2 },
            tags: { "rollgate.dev/app": request.routeName, "rollgate.dev/track": track },
          },
          opts,
        );
        const binding = config.bindTargets
          ? [
              new k8s.apiextensions.CustomResource(
                `${request.name}-${track}-target-group-binding`,
                {
                  apiVersion: "elbv2.k8s.aws/v1beta1",
                  kind: "TargetGroupBinding",
                  metadata: { name: backend.serviceName, namespace: request.namespace, labels: request.labels },
                  spec: {
                    serviceRef: { name: backend.serviceName, port: backend.port },
                    targetGroupARN: group.arn,
                    targetType: "ip",
                  },
                },
                opts,
              ),
            ]
          : [];
        return { group, resources: [group, ...binding] };
      };

      const stable = targetGroup("stable", request.stable);
      const canary = request.canary ? targetGroup("canary", request.canary) : undefined;
      const hostHeader = { hostHeader: { values: [...request.hostnames] } };
      const forward = (targetGroups: { arn: pulumi.Input<string>; weight: pulumi.Input<number> }[]) => ({
        type: "forward",
        forward: { targetGroups, stickiness: { enabled: false, duration: 1 } },
      });

      const headerRule =
        canary && request.headerRoute
          ? [
              new aws.lb.ListenerRule(
                `${request.name}-header-rule`,
                {
                  listenerArn: config.listenerArn,
                  priority: config.priority - 1,
                  region: config.region,
                  conditions: [
                    hostHeader,
                    { httpHeader: { httpHeaderName: request.headerRoute.name, values: [request.headerRoute.value] } },
                  ],
                  actions: [forward([{ arn: canary.group.arn, weight: 100 }])],
                },
                opts,
              ),
            ]
          : [];
      const rule = new aws.lb.ListenerRule(
        `${request.name}-rule`,
        {
          listenerArn: config.listenerArn,
          priority: config.priority,
          region: config.region,
          conditions: [hostHeader],
          actions: [
            forward([
              { arn: stable.group.arn, weight: request.weights.stable },
              ...(canary ? [{ arn: canary.group.arn, weight: request.weights.canary }] : []),
            ]),
          ],
        },
        opts,
      );

      return {
        resources: [...stable.resources, ...(canary?.resources ?? []), ...headerRule, rule],
        cloudWatch: {
          region: config.region,
          loadBalancer: pulumi.output(config.listenerArn).apply(loadBalancerArnSuffix),
          targetGroups: { stable: stable.group.arnSuffix, ...(canary ? { canary: canary.group.arnSuffix } : {}) },
        },
      };
    },
  };
}
