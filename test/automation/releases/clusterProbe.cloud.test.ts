/** The cluster probe reading a cloud router's live weight from its API (a local server answering as Cloudflare or ELBv2 does). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { KubernetesClusterProbe, stackReleaseTargets, type ProbeApis } from "../../../automation/cluster/clusterProbe";
import { cloudFixture, cloudJsonFixture, exampleAwsAccessKeyId } from "../../support/cloudApis/fixtures";
import { startRecordedServer, type RecordedServer } from "../../support/cloudApis/recordedServer";

const token = "cf-token-from-the-service-env";
const stackConfig = {
  "rollgate:app": "web",
  "rollgate:namespace": "web",
  "rollgate:router": "cloudflare",
  "rollgate:hostnames": "web.example.com",
  "rollgate:cloudflareAccountId": "account-1",
  "rollgate:cloudflareZoneId": "zone-1",
  "rollgate:cloudflareApiToken": "[secret]",
  "rollgate:cloudflareStableOrigin": "stable.origin.example.net",
  "rollgate:cloudflareCanaryOrigin": "green.origin.example.net",
};
const noCluster = {} as ProbeApis;

let server: RecordedServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function cloudflareServer(): Promise<RecordedServer> {
  return startRecordedServer((request) => {
    const file = request.url.endsWith("/load_balancers")
      ? "load-balancers"
      : request.url.endsWith("17b5962d775c646f3f9725cbc7a53df4")
        ? "pool-stable"
        : "pool-canary";
    return { headers: { "content-type": "application/json" }, body: JSON.stringify(cloudJsonFixture(`cloudflare/${file}.json`)) };
  });
}

describe("KubernetesClusterProbe.readLiveWeight for a cloud router", () => {
  it("reads the Cloudflare pool weights with the stack's settings and the token the service was given", async () => {
    server = await cloudflareServer();
    const engine = { config: async () => stackConfig };
    const probe = new KubernetesClusterProbe(noCluster, stackReleaseTargets(engine), {
      secrets: { cloudflare: { apiToken: token } },
      endpoints: { cloudflare: server.url },
    });

    const weight = await probe.readLiveWeight("production");

    expect(weight).toBe(5);
    expect(server.requests[0]?.url).toBe("/client/v4/zones/zone-1/load_balancers");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("says which setting is missing when the service was not given the token", async () => {
    server = await cloudflareServer();
    const engine = { config: async () => stackConfig };
    const probe = new KubernetesClusterProbe(noCluster, stackReleaseTargets(engine), { endpoints: { cloudflare: server.url } });

    await expect(probe.readLiveWeight("production")).rejects.toThrow("router cloudflare settings cannot read the live weight: `apiToken` must not be empty");
    expect(server.requests).toEqual([]);
  });

  it("reads the ALB rule's weights with the listener and the priority (config text) from the stack", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", exampleAwsAccessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "probe-test-secret-key");
    server = await startRecordedServer(() => ({ headers: { "content-type": "text/xml" }, body: cloudFixture("aws/describe-rules.xml") }));
    const listenerArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/public/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const engine = {
      config: async () => ({
        "rollgate:app": "web",
        "rollgate:namespace": "web",
        "rollgate:router": "aws",
        "rollgate:awsListenerArn": listenerArn,
        "rollgate:awsVpcId": "vpc-0a1b2c3d",
        "rollgate:awsRulePriority": "100",
      }),
    };
    const probe = new KubernetesClusterProbe(noCluster, stackReleaseTargets(engine), { endpoints: { aws: server.url } });

    expect(await probe.readLiveWeight("production")).toBe(5);
    expect(new URLSearchParams(server.requests[0]?.body).get("ListenerArn")).toBe(listenerArn);
  });
});
