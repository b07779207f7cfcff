/**
 * The cloud APIs as they would answer once a router's rendered resources
 * exist: each cloud router's objects, taken from what it registered under
 * Pulumi mocks, in the response shapes of the recorded fixtures. The router
 * contract reads the live weight back through these, as the release probe
 * reads it from the real APIs.
 */
import type { RouterKind } from "../../../components/trafficSplit/routers/registry";
import { at, type RegisteredResource } from "../../setup/pulumiMocks";
import type { Answer, RecordedResponse } from "./recordedServer";

const ofType = (resources: readonly RegisteredResource[], type: string) => resources.filter((resource) => resource.type === type);
const json = (body: unknown): RecordedResponse => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const envelope = (result: unknown) => json({ success: true, errors: [], messages: [], result });
const notFound: RecordedResponse = { status: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ success: false, errors: [{ code: 1000, message: "not found" }], messages: [], result: null }) };

/** Cloudflare v4: the zone's load balancers and the account's pools. The mocks give each resource the id `<name>-id`. */
function cloudflareApi(resources: readonly RegisteredResource[]): Answer {
  const balancers = ofType(resources, "cloudflare:index/loadBalancer:LoadBalancer").map((resource) => ({
    id: `${resource.name}-id`,
    name: at(resource.inputs, "name"),
    default_pools: at(resource.inputs, "defaultPools"),
    fallback_pool: at(resource.inputs, "fallbackPool"),
    steering_policy: at(resource.inputs, "steeringPolicy"),
    random_steering: { default_weight: at(resource.inputs, "randomSteering.defaultWeight"), pool_weights: at(resource.inputs, "randomSteering.poolWeights") },
    proxied: at(resource.inputs, "proxied"),
  }));
  const pools = new Map(
    ofType(resources, "cloudflare:index/loadBalancerPool:LoadBalancerPool").map((resource) => [
      `${resource.name}-id`,
      { id: `${resource.name}-id`, name: at(resource.inputs, "name"), enabled: true, origins: at(resource.inputs, "origins") },
    ]),
  );
  return (request) => {
    const [, zone, poolId] = /^\/client\/v4\/(?:zones\/([^/]+)\/load_balancers|accounts\/[^/]+\/load_balancers\/pools\/([^/]+))$/.exec(request.url) ?? [];
    if (zone !== undefined) return envelope(balancers);
    const pool = poolId === undefined ? undefined : pools.get(poolId);
    return pool ? envelope(pool) : notFound;
  };
}

/** ELBv2 DescribeRules: every rendered listener rule, forward actions with their weighted target groups. */
function elbv2Api(resources: readonly RegisteredResource[]): Answer {
  const members = (items: readonly string[]) => items.map((item) => `<member>${item}</member>`).join("");
  const rules = ofType(resources, "aws:lb/listenerRule:ListenerRule").map((resource) => {
    const actions = (at(resource.inputs, "actions") ?? []) as { type: string; forward?: { targetGroups: { arn: string; weight: number }[] } }[];
    const actionXml = actions.map((action, index) => {
      const groups = (action.forward?.targetGroups ?? []).map((group) => `<TargetGroupArn>${group.arn}</TargetGroupArn><Weight>${group.weight}</Weight>`);
      return `<Type>${action.type}</Type><Order>${index + 1}</Order><ForwardConfig><TargetGroups>${members(groups)}</TargetGroups></ForwardConfig>`;
    });
    return `<IsDefault>false</IsDefault><Priority>${String(at(resource.inputs, "priority"))}</Priority><Actions>${members(actionXml)}</Actions><RuleArn>arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2/${resource.name}</RuleArn>`;
  });
  const body = `<DescribeRulesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeRulesResult><Rules>${members(rules)}</Rules></DescribeRulesResult><ResponseMetadata><RequestId>rendered</RequestId></ResponseMetadata></DescribeRulesResponse>`;
  return () => ({ headers: { "content-type": "text/xml" }, body });
}

/** The API of each router that reads its live weight from one. */
export const renderedCloudApis: Partial<Record<RouterKind, (resources: readonly RegisteredResource[]) => Answer>> = {
  cloudflare: cloudflareApi,
  aws: elbv2Api,
};
