import * as pulumi from "@pulumi/pulumi";
import { managedBy, recommendedLabels } from "../labels";
import { checks, isDns1035Label, Problems } from "../validation";
import type { Capability, RouterCapabilities } from "./capabilities";
import { headerNameProblem, headerValueProblem, mirrorPercentProblem } from "./canaryRouting";
import { Backend, CloudWatchTargets, HeaderRoute, TrafficRouter } from "./router";
import { createRouter, defaultRouterKind, RouterKind, RouterSpec } from "./routers/registry";
import { splitWeights, Weights, weightProblem } from "./weights";

/** Arguments of a {@link TrafficSplit}. */
export interface TrafficSplitArgs {
  /** Application name; names the route objects unless `routeName` is set. */
  readonly app: string;
  /** Name of the route objects (HTTPRoute, VirtualService, Ingress...). Default: `app`. */
  readonly routeName?: string;
  /** Namespace of the route objects (and of both Services). */
  readonly namespace: pulumi.Input<string>;
  /** Public host names; the first one makes the URL. */
  readonly hostnames: readonly pulumi.Input<string>[];
  readonly stable: Backend;
  /** The canary's Service. Leave out when there is no canary: the route then never mentions one. */
  readonly canary?: Backend;
  /** The baseline's Service (stable's image at the canary's size), which takes as much traffic as the canary (needs `baseline`). */
  readonly baseline?: Backend;
  /** Percentage (integer 0–100) of traffic for the canary; ignored without a canary. */
  readonly canaryWeight: pulumi.Input<number>;
  /** Router and its settings. Default `{ kind: "gateway-api" }`. */
  readonly router?: RouterSpec;
  /** Send requests with this header to the canary whatever the weight (needs `headerRouting`). */
  readonly headerRoute?: HeaderRoute;
  /** Copy this percent (1–100) of the traffic to the canary, responses discarded (needs `mirroring`). */
  readonly mirrorPercent?: number;
}

export const defaultRouter: RouterSpec = { kind: defaultRouterKind };

/** The capabilities `args` ask for. */
export function requestedCapabilities(args: Pick<TrafficSplitArgs, "headerRoute" | "mirrorPercent" | "baseline">): Capability[] {
  return [
    ...(args.headerRoute ? ["headerRouting" as const] : []),
    ...(args.mirrorPercent !== undefined ? ["mirroring" as const] : []),
    ...(args.baseline ? ["baseline" as const] : []),
  ];
}

/** Problems with asking `router` for `requested`: one per capability it lacks, naming the router. */
export function capabilityProblems(
  router: { readonly kind: string; readonly capabilities: RouterCapabilities },
  requested: readonly Capability[],
): string[] {
  return requested
    .filter((capability) => !router.capabilities[capability])
    .map((capability) => `is \`${router.kind}\`, which does not support ${capability} (unsupported)`);
}

/**
 * Splits an application's traffic between its stable and canary Services:
 * `canaryWeight` percent to the canary, the rest to stable, through a
 * pluggable {@link TrafficRouter}. Only the router's resources depend on the
 * weight, so a weight-only change updates nothing else.
 */
export class TrafficSplit extends pulumi.ComponentResource {
  readonly routerKind: RouterKind;
  readonly weights: pulumi.Output<Weights>;
  readonly stableWeight: pulumi.Output<number>;
  readonly canaryWeight: pulumi.Output<number>;
  readonly baselineWeight: pulumi.Output<number>;
  /** `<scheme>://<first host name>`. */
  readonly url: pulumi.Output<string>;
  /** Every resource the router created. */
  readonly routeResources: readonly pulumi.Resource[];
  /** Target groups for CloudWatch alarms, when the router fronts an AWS load balancer. */
  readonly cloudWatch?: CloudWatchTargets;

  constructor(name: string, args: TrafficSplitArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const router = validateTrafficSplitArgs(name, args);
    super("rollgate:traffic:TrafficSplit", name, {}, opts);

    const hasCanary = args.canary !== undefined;
    const baseline = hasCanary ? args.baseline : undefined;
    this.routerKind = router.kind;
    this.weights = pulumi.output(args.canaryWeight).apply((weight) => {
      try {
        return splitWeights(weight, hasCanary, baseline !== undefined);
      } catch (error) {
        throw new pulumi.ResourceError((error as Error).message, this);
      }
    });
    this.stableWeight = this.weights.stable;
    this.canaryWeight = this.weights.canary;
    this.baselineWeight = this.weights.baseline;

    const routeName = args.routeName ?? args.app;
    const result = router.route({
      name,
      routeName,
      namespace: args.namespace,
      hostnames: args.hostnames,
      stable: args.stable,
      ...(args.canary ? { canary: args.canary } : {}),
      ...(baseline ? { baseline } : {}),
      weights: this.weights,
      ...(args.headerRoute ? { headerRoute: args.headerRoute } : {}),
      ...(args.mirrorPercent !== undefined ? { mirrorPercent: args.mirrorPercent } : {}),
      labels: {
        [recommendedLabels.name]: args.app,
        [recommendedLabels.instance]: routeName,
        [recommendedLabels.component]: "traffic",
        [recommendedLabels.partOf]: args.app,
        [recommendedLabels.managedBy]: managedBy,
      },
      parent: this,
    });
    this.routeResources = result.resources;
    if (result.cloudWatch) {
      this.cloudWatch = result.cloudWatch;
    }
    this.url = pulumi.interpolate`${router.scheme}://${args.hostnames[0]}`;

    this.registerOutputs({
      routerKind: this.routerKind,
      stableWeight: this.stableWeight,
      canaryWeight: this.canaryWeight,
      baselineWeight: this.baselineWeight,
      url: this.url,
    });
  }
}

/** Checks the arguments and builds the router; throws listing every problem. */
export function validateTrafficSplitArgs(name: string, args: TrafficSplitArgs): TrafficRouter<RouterKind> {
  const spec = args.router ?? defaultRouter;
  const problems = new Problems()
    .when("app", isDns1035Label(args.app) ? undefined : `must be a DNS label starting with a letter (got "${args.app}")`)
    .when(
      "routeName",
      args.routeName === undefined || isDns1035Label(args.routeName)
        ? undefined
        : `must be a DNS label starting with a letter (got "${args.routeName}")`,
    )
    .when("hostnames", args.hostnames.length > 0 ? undefined : "must list at least one host name")
    .known("canaryWeight", args.canaryWeight, weightProblem)
    .known("stable.port", args.stable.port, checks.integerBetween(1, 65535))
    .known("canary.port", args.canary?.port, checks.integerBetween(1, 65535))
    .known("baseline.port", args.baseline?.port, checks.integerBetween(1, 65535))
    .when("headerRoute.name", args.headerRoute && headerNameProblem(args.headerRoute.name))
    .known("headerRoute.value", args.headerRoute?.value, headerValueProblem)
    .when("mirrorPercent", args.mirrorPercent === undefined ? undefined : mirrorPercentProblem(args.mirrorPercent));
  args.hostnames.forEach((host, index) => problems.known(`hostnames[${index}]`, host, checks.hostname));

  let router: TrafficRouter<RouterKind> | undefined;
  try {
    router = createRouter(spec);
  } catch (error) {
    problems.when("router", `is invalid: ${(error as Error).message}`);
  }
  if (router) {
    capabilityProblems(router, requestedCapabilities(args)).forEach((problem) => problems.when("router", problem));
  }
  problems.throwIfAny(`TrafficSplit "${name}"`);
  return router as TrafficRouter<RouterKind>;
}
