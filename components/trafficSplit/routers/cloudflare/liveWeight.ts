/**
 * The Cloudflare router's live weight, read from the Cloudflare v4 API: the
 * load balancer named after the first host name steers at random by pool
 * weight (`random_steering.pool_weights`), and the canary pool is the one
 * named `<route>-canary`. Throttling is surfaced as a retryable error rather
 * than retried here, because the release controller already polls the probe
 * on its own clock until the weight matches or the deadline passes.
 */
import { z } from "zod";
import { LiveWeightReadError, type ApiReadContext, type ApiWeightReader } from "../definition";
import { cloudflarePoolName, loadBalancerHostname } from "./names";
import { canaryShare } from "../weightShares";

export const cloudflareApiEndpoint = "https://api.cloudflare.com";

const ReadSettings = z.object({
  accountId: z.string(),
  zoneId: z.string(),
  apiToken: z.string({ message: "`apiToken` must be the plain API token to read the live weight" }).min(1),
});
type ReadSettings = z.output<typeof ReadSettings>;

const Envelope = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string() })).default([]),
  result: z.unknown(),
});

const LoadBalancer = z.object({
  id: z.string(),
  name: z.string(),
  default_pools: z.array(z.string()),
  steering_policy: z.string().optional(),
  random_steering: z
    .object({ default_weight: z.number().optional(), pool_weights: z.record(z.number()).optional() })
    .optional(),
});

const Pool = z.object({ id: z.string(), name: z.string(), enabled: z.boolean().optional() });

/** `result` of one API call, or a `LiveWeightReadError` saying what went wrong (never the token). */
async function cloudflareGet(path: string, settings: ReadSettings, context: ApiReadContext): Promise<unknown> {
  const call = context.fetch ?? fetch;
  const what = `Cloudflare GET ${path}`;
  let response: Response;
  try {
    response = await call(`${context.endpoint ?? cloudflareApiEndpoint}/client/v4${path}`, {
      headers: { Authorization: `Bearer ${settings.apiToken}`, Accept: "application/json" },
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    if (context.signal?.aborted) throw error;
    throw new LiveWeightReadError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  if (response.status === 429) {
    const after = response.headers.get("retry-after");
    throw new LiveWeightReadError(`${what} was throttled (429)${after ? `; retry after ${after} s` : ""}`, true);
  }
  if (response.status === 401 || response.status === 403) {
    throw new LiveWeightReadError(
      `${what} was refused (${response.status}): the API token must be valid and allowed to read load balancers of zone ${settings.zoneId} and pools of account ${settings.accountId}`,
      false,
    );
  }
  const envelope = Envelope.safeParse(await response.json().catch(() => undefined));
  if (!envelope.success) {
    throw new LiveWeightReadError(`${what} answered ${response.status} without the v4 envelope`, response.status >= 500);
  }
  if (!envelope.data.success || !response.ok) {
    const reasons = envelope.data.errors.map((error) => (error.code === undefined ? error.message : `${error.code} ${error.message}`));
    throw new LiveWeightReadError(`${what} failed (${response.status}): ${reasons.join("; ") || "no reason given"}`, response.status >= 500);
  }
  return envelope.data.result;
}

function parsed<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new LiveWeightReadError(`Cloudflare returned an unreadable ${what}`, false);
  return result.data as z.output<T>;
}

async function readCanaryShare(raw: Readonly<Record<string, unknown>>, context: ApiReadContext): Promise<number> {
  const settings = ReadSettings.safeParse(raw);
  if (!settings.success) throw new LiveWeightReadError(settings.error.issues[0]?.message ?? "the router settings are incomplete", false);
  const [primaryHost] = context.hostnames;
  if (primaryHost === undefined) throw new LiveWeightReadError("the route has no host name, so its load balancer cannot be found", false);
  const { zoneId, accountId } = settings.data;

  const name = loadBalancerHostname(primaryHost);
  const balancers = parsed(z.array(LoadBalancer), await cloudflareGet(`/zones/${zoneId}/load_balancers`, settings.data, context), "load balancer list");
  const balancer = balancers.find((candidate) => candidate.name === name);
  if (!balancer) throw new LiveWeightReadError(`zone ${zoneId} has no load balancer ${name}`, false);
  if (balancer.steering_policy !== undefined && balancer.steering_policy !== "random") {
    throw new LiveWeightReadError(`load balancer ${name} steers by "${balancer.steering_policy}", so its pool weights do not split the traffic`, false);
  }

  const pools = await Promise.all(
    balancer.default_pools.map(async (id) => parsed(Pool, await cloudflareGet(`/accounts/${accountId}/load_balancers/pools/${id}`, settings.data, context), `pool ${id}`)),
  );
  const steering = balancer.random_steering;
  const canaryPool = cloudflarePoolName(context.routeName, "canary");
  // A disabled pool gets no traffic whatever its weight; Cloudflare's default weight is 1.
  const weightOf = (pool: z.output<typeof Pool>) => (pool.enabled === false ? 0 : (steering?.pool_weights?.[pool.id] ?? steering?.default_weight ?? 1));
  return canaryShare(pools, weightOf, (pool) => pool.name === canaryPool, 0);
}

export const cloudflareLiveWeight: ApiWeightReader = { source: "api", read: readCanaryShare };
