/** The cluster probe reading a cloud router's live weight from its API (a local server answering as Cloudflare does). */
import { afterEach, describe, expect, it } from "vitest";
import { KubernetesClusterProbe, stackReleaseTargets, type ProbeApis } from "../../../automation/cluster/clusterProbe";
import { cloudJsonFixture } from "../../support/cloudApis/fixtures";
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
});
