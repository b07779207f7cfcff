/**
 * The AWS router's live weight, read from the ELBv2 API: the listener rule
 * at the router's priority forwards to the stable and canary target groups
 * with weights (`ForwardConfig.TargetGroups[].Weight`), and the canary group
 * is the one named with the canary prefix. The SDK is imported when a weight
 * is read, so the policy pack and the service do not load it at start;
 * credentials come from the SDK's standard chain (environment, shared files,
 * instance or pod role).
 */
import type * as elbv2 from "@aws-sdk/client-elastic-load-balancing-v2";
import { z } from "zod";
import { LiveWeightReadError, type ApiReadContext, type ApiWeightReader } from "../definition";
import { arnRegion, targetGroupName, targetGroupNamePrefix } from "./names";
import { canaryShare } from "../weightShares";

const ReadSettings = z.object({
  listenerArn: z.string(),
  priority: z.number().int(),
  region: z.string().optional(),
});
type ReadSettings = z.output<typeof ReadSettings>;

type Rule = elbv2.Rule;

/** The listener's rule at `priority`, following `NextMarker` through the pages. */
async function ruleAtPriority(client: elbv2.ElasticLoadBalancingV2Client, sdk: typeof elbv2, settings: ReadSettings, signal: AbortSignal | undefined): Promise<Rule | undefined> {
  let marker: string | undefined;
  do {
    const page = await client.send(
      new sdk.DescribeRulesCommand({ ListenerArn: settings.listenerArn, ...(marker ? { Marker: marker } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    const rule = page.Rules?.find((candidate) => candidate.Priority === String(settings.priority));
    if (rule) return rule;
    marker = page.NextMarker;
  } while (marker);
  return undefined;
}

/** The canary's share of the rule's forward action. */
function forwardShare(rule: Rule, priority: number): number {
  const forward = rule.Actions?.find((action) => action.Type === "forward");
  if (!forward) throw new LiveWeightReadError(`the listener rule at priority ${priority} has no forward action`, false);
  // A forward to a single group may carry only `TargetGroupArn`; it then gets all the traffic.
  const groups = forward.ForwardConfig?.TargetGroups ?? (forward.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
  const isCanary = (group: elbv2.TargetGroupTuple) => targetGroupName(group.TargetGroupArn ?? "")?.startsWith(targetGroupNamePrefix.canary) ?? false;
  return canaryShare(groups, (group) => group.Weight, isCanary, 1);
}

/** A `LiveWeightReadError` for an SDK failure; SDK messages name the listener, never the credentials. */
function readError(error: unknown, sdk: typeof elbv2, settings: ReadSettings): Error {
  if (error instanceof sdk.ListenerNotFoundException) return new LiveWeightReadError(`listener ${settings.listenerArn} does not exist`, false);
  if (!(error instanceof sdk.ElasticLoadBalancingV2ServiceException)) return error instanceof Error ? error : new Error(String(error));
  const status = error.$metadata.httpStatusCode ?? 0;
  // ELBv2 does not model throttling; the SDK names unmodelled errors after their code.
  const throttled = error.name === "Throttling" || error.$retryable?.throttling === true;
  const why = status === 403 ? "access denied: the credentials must allow elasticloadbalancing:DescribeRules" : error.message;
  return new LiveWeightReadError(`ELBv2 DescribeRules failed (${error.name}, ${status}): ${why}`, throttled || error.$fault === "server");
}

async function readCanaryShare(raw: Readonly<Record<string, unknown>>, context: ApiReadContext): Promise<number> {
  const settings = ReadSettings.safeParse(raw);
  if (!settings.success) throw new LiveWeightReadError(`the router settings are incomplete: ${settings.error.issues.map((issue) => `\`${issue.path.join(".")}\` ${issue.message}`).join("; ")}`, false);
  const { listenerArn, priority } = settings.data;
  const sdk = await import("@aws-sdk/client-elastic-load-balancing-v2");
  const client = new sdk.ElasticLoadBalancingV2Client({
    region: settings.data.region ?? arnRegion(listenerArn),
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
  });
  try {
    const rule = await ruleAtPriority(client, sdk, settings.data, context.signal);
    if (!rule) throw new LiveWeightReadError(`listener ${listenerArn} has no rule at priority ${priority}`, false);
    return forwardShare(rule, priority);
  } catch (error) {
    throw error instanceof LiveWeightReadError ? error : readError(error, sdk, settings.data);
  } finally {
    client.destroy();
  }
}

export const awsLiveWeight: ApiWeightReader = { source: "api", read: readCanaryShare };
