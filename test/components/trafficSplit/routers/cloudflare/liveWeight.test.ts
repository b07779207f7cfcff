import { afterEach, describe, expect, it } from "vitest";
import { LiveWeightReadError } from "../../../../../components/trafficSplit/routers/definition";
import { cloudflareLiveWeight } from "../../../../../components/trafficSplit/routers/cloudflare/liveWeight";
import { cloudJsonFixture } from "../../../../support/cloudApis/fixtures";
import { startRecordedServer, type Answer, type RecordedResponse, type RecordedServer } from "../../../../support/cloudApis/recordedServer";

const token = "cf-token-7f3e9a1b";
const settings = { accountId: "account-1", zoneId: "zone-1", apiToken: token };
const pools = { stable: "17b5962d775c646f3f9725cbc7a53df4", canary: "9290f38c5d07c2e2f4df57b1f61d4196" };
const json = (body: unknown, status = 200, headers: Record<string, string> = {}): RecordedResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** The recorded list of load balancers, with the web load balancer's pool weights set to `weights`. */
function loadBalancers(weights: Record<string, number>, defaultPools = Object.keys(weights)) {
  const recorded = cloudJsonFixture("cloudflare/load-balancers.json");
  const [web, ...others] = recorded.result as Record<string, unknown>[];
  const steering = { ...(web?.random_steering as object), pool_weights: weights };
  return { ...recorded, result: [{ ...web, default_pools: defaultPools, random_steering: steering }, ...others] };
}

/** Answers as the Cloudflare API does for the recorded zone and pools. */
function cloudflare(balancers: unknown): Answer {
  return (request) => {
    if (request.url === "/client/v4/zones/zone-1/load_balancers") return json(balancers);
    if (request.url === `/client/v4/accounts/account-1/load_balancers/pools/${pools.stable}`) return json(cloudJsonFixture("cloudflare/pool-stable.json"));
    if (request.url === `/client/v4/accounts/account-1/load_balancers/pools/${pools.canary}`) return json(cloudJsonFixture("cloudflare/pool-canary.json"));
    return json({ success: false, errors: [{ code: 7003, message: "Could not route to the requested path" }], messages: [], result: null }, 404);
  };
}

let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function readWith(answer: Answer, readSettings: Record<string, unknown> = settings): Promise<number> {
  server = await startRecordedServer(answer);
  return cloudflareLiveWeight.read(readSettings, { routeName: "web", hostnames: ["web.example.com"], endpoint: server.url });
}

async function failureOf(answer: Answer): Promise<LiveWeightReadError> {
  const error: unknown = await readWith(answer).catch((caught: unknown) => caught);
  if (!(error instanceof LiveWeightReadError)) throw new Error(`expected a LiveWeightReadError, got ${String(error)}`);
  return error;
}

describe("the Cloudflare live-weight reader", () => {
  it.each([
    [1, 0, 0],
    [0.95, 0.05, 5],
    [0.75, 0.25, 25],
    [0, 1, 100],
  ])("reads pool weights %d / %d as %i%% to the canary", async (stable, canary, expected) => {
    const weight = await readWith(cloudflare(loadBalancers({ [pools.stable]: stable, [pools.canary]: canary })));

    expect(weight).toBe(expected);
  });

  it("reads a load balancer with only the stable pool as 0", async () => {
    const weight = await readWith(cloudflare(loadBalancers({ [pools.stable]: 1 })));

    expect(weight).toBe(0);
  });

  it("counts a pool missing from pool_weights at the load balancer's default weight", async () => {
    const balancers = loadBalancers({ [pools.stable]: 0.5 }, [pools.stable, pools.canary]);

    // The recorded default weight is 0, as the router sets it.
    expect(await readWith(cloudflare(balancers))).toBe(0);
  });

  it("asks for the zone's load balancers, then each default pool, with the token as a bearer token", async () => {
    await readWith(cloudflare(cloudJsonFixture("cloudflare/load-balancers.json")));

    expect(server?.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /client/v4/zones/zone-1/load_balancers",
      `GET /client/v4/accounts/account-1/load_balancers/pools/${pools.stable}`,
      `GET /client/v4/accounts/account-1/load_balancers/pools/${pools.canary}`,
    ]);
    expect(server?.requests.every((request) => request.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it("fails naming the load balancer when the zone has none for the host", async () => {
    const recorded = cloudJsonFixture("cloudflare/load-balancers.json");
    const others = (recorded.result as Record<string, unknown>[]).slice(1);

    const failure = await failureOf(cloudflare({ ...recorded, result: others }));

    expect(failure.message).toBe("zone zone-1 has no load balancer web-lb.example.com");
    expect(failure.retryable).toBe(false);
  });

  it("reports a refused token without retrying and without the token", async () => {
    const failure = await failureOf(() => json(cloudJsonFixture("cloudflare/error-authentication.json"), 403));

    expect(failure.message).toMatch(/refused \(403\).*allowed to read load balancers of zone zone-1/);
    expect(failure.message).not.toContain(token);
    expect(failure.retryable).toBe(false);
  });

  it("reports throttling as retryable, with the Retry-After the API gave", async () => {
    const failure = await failureOf(() => json(cloudJsonFixture("cloudflare/error-rate-limited.json"), 429, { "retry-after": "30" }));

    expect(failure.message).toBe("Cloudflare GET /zones/zone-1/load_balancers was throttled (429); retry after 30 s");
    expect(failure.retryable).toBe(true);
  });

  it("reports an envelope with success false and its errors", async () => {
    const failure = await failureOf(() => json({ success: false, errors: [{ code: 1002, message: "Invalid zone identifier" }], messages: [], result: null }, 400));

    expect(failure.message).toBe("Cloudflare GET /zones/zone-1/load_balancers failed (400): 1002 Invalid zone identifier");
    expect(failure.retryable).toBe(false);
  });

  it("reports a server error as retryable", async () => {
    const failure = await failureOf(() => ({ status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad gateway</html>" }));

    expect(failure.message).toBe("Cloudflare GET /zones/zone-1/load_balancers answered 502 without the v4 envelope");
    expect(failure.retryable).toBe(true);
  });

  it("refuses a load balancer that does not steer by weight", async () => {
    const recorded = loadBalancers({ [pools.stable]: 1 });
    const [web] = recorded.result;

    const failure = await failureOf(cloudflare({ ...recorded, result: [{ ...web, steering_policy: "geo" }] }));

    expect(failure.message).toBe('load balancer web-lb.example.com steers by "geo", so its pool weights do not split the traffic');
  });

  it("needs the token as plain text", async () => {
    const attempt = readWith(cloudflare(loadBalancers({ [pools.stable]: 1 })), { ...settings, apiToken: { secret: true } });

    await expect(attempt).rejects.toThrow("`apiToken` must be the plain API token to read the live weight");
    expect(server?.requests).toEqual([]);
  });
});
