import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveWeightReadError } from "../../../../../components/trafficSplit/routers/definition";
import { awsLiveWeight } from "../../../../../components/trafficSplit/routers/aws/liveWeight";
import { cloudFixture, exampleAwsAccessKeyId } from "../../../../support/cloudApis/fixtures";
import { startRecordedServer, type Answer, type RecordedResponse, type RecordedServer } from "../../../../support/cloudApis/recordedServer";

const listenerArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2";
const settings = { listenerArn, vpcId: "vpc-0a1b2c3d", priority: 100 };
const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const xml = (body: string, status = 200): RecordedResponse => ({ status, headers: { "content-type": "text/xml" }, body });

/** The recorded DescribeRules answer, with the weighted rule's stable/canary weights set. */
function describeRules(stable: number, canary: number): RecordedResponse {
  return xml(cloudFixture("aws/describe-rules.xml").replace("<Weight>95</Weight>", `<Weight>${stable}</Weight>`).replace("<Weight>5</Weight>", `<Weight>${canary}</Weight>`));
}

let server: RecordedServer | undefined;
beforeEach(() => {
  vi.stubEnv("AWS_ACCESS_KEY_ID", exampleAwsAccessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", secretKey);
  vi.stubEnv("AWS_SESSION_TOKEN", "");
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function readWith(answer: Answer, readSettings: Record<string, unknown> = settings): Promise<number> {
  server = await startRecordedServer(answer);
  return awsLiveWeight.read(readSettings, { routeName: "web", hostnames: ["web.example.com"], endpoint: server.url });
}

async function failureOf(answer: Answer): Promise<LiveWeightReadError> {
  const error: unknown = await readWith(answer).catch((caught: unknown) => caught);
  if (!(error instanceof LiveWeightReadError)) throw new Error(`expected a LiveWeightReadError, got ${String(error)}`);
  return error;
}

describe("the AWS ALB live-weight reader", () => {
  it.each([
    [100, 0, 0],
    [95, 5, 5],
    [75, 25, 25],
    [0, 100, 100],
  ])("reads target group weights %i / %i as %i%% to the canary", async (stable, canary, expected) => {
    expect(await readWith(() => describeRules(stable, canary))).toBe(expected);
  });

  it("reads the rule at the router's priority, not the header rule that sends everything to the canary", async () => {
    expect(await readWith(() => describeRules(95, 5), { ...settings, priority: 99 })).toBe(100);
    expect(await readWith(() => describeRules(95, 5))).toBe(5);
  });

  it("reads a rule forwarding only to the stable target group as 0", async () => {
    expect(await readWith(() => xml(cloudFixture("aws/describe-rules-stable-only.xml")))).toBe(0);
  });

  it("calls DescribeRules for the listener with a SigV4 signature for ELBv2 in the listener's region", async () => {
    await readWith(() => describeRules(95, 5));

    const [request] = server?.requests ?? [];
    const body = new URLSearchParams(request?.body);
    expect(request?.method).toBe("POST");
    expect(Object.fromEntries(body)).toMatchObject({ Action: "DescribeRules", Version: "2015-12-01", ListenerArn: listenerArn });
    expect(request?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${exampleAwsAccessKeyId}/\\d{8}/eu-west-1/elasticloadbalancing/aws4_request, `));
  });

  it("follows NextMarker until it finds the rule", async () => {
    const firstPage = cloudFixture("aws/describe-rules-stable-only.xml")
      .replace("<Priority>100</Priority>", "<Priority>10</Priority>")
      .replace("</Rules>", "</Rules>\n    <NextMarker>page-2</NextMarker>");

    const weight = await readWith((request) => (new URLSearchParams(request.body).get("Marker") === "page-2" ? describeRules(75, 25) : xml(firstPage)));

    expect(weight).toBe(25);
    expect(server?.requests).toHaveLength(2);
  });

  it("fails naming the listener and priority when no rule has that priority", async () => {
    server = await startRecordedServer(() => describeRules(95, 5));

    const attempt = awsLiveWeight.read({ ...settings, priority: 7 }, { routeName: "web", hostnames: [], endpoint: server.url });

    await expect(attempt).rejects.toThrow(`listener ${listenerArn} has no rule at priority 7`);
  });

  it("retries throttling and reads the weight once the API answers", async () => {
    const answer: Answer = (_request, earlier) => (earlier.length === 0 ? xml(cloudFixture("aws/error-throttling.xml"), 400) : describeRules(75, 25));

    expect(await readWith(answer)).toBe(25);
    expect(server?.requests).toHaveLength(2);
  });

  it("reports throttling that outlasts the retries as retryable", async () => {
    const failure = await failureOf(() => xml(cloudFixture("aws/error-throttling.xml"), 400));

    expect(failure.message).toBe("ELBv2 DescribeRules failed (Throttling, 400): Rate exceeded");
    expect(failure.retryable).toBe(true);
  });

  it("reports access denied with the permission it needs, without retrying or leaking the secret key", async () => {
    const failure = await failureOf(() => xml(cloudFixture("aws/error-access-denied.xml"), 403));

    expect(failure.message).toBe("ELBv2 DescribeRules failed (AccessDenied, 403): access denied: the credentials must allow elasticloadbalancing:DescribeRules");
    expect(failure.message).not.toContain(secretKey);
    expect(failure.retryable).toBe(false);
    expect(server?.requests).toHaveLength(1);
  });

  it("reports a listener that does not exist", async () => {
    const failure = await failureOf(() => xml(cloudFixture("aws/error-listener-not-found.xml"), 400));

    expect(failure.message).toBe(`listener ${listenerArn} does not exist`);
    expect(failure.retryable).toBe(false);
  });
});
