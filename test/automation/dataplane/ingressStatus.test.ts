import { describe, expect, it } from "vitest";
import type { Ingress } from "../../../automation/dataplane/clusterObjects";
import { IngressStatusWriter, localGatewayAddress } from "../../../automation/dataplane/ingressStatus";
import { silentLogger } from "../../../automation/deps";

function ingress(name: string, ingressClassName: string | undefined, addresses: readonly string[] = []): Ingress {
  return {
    metadata: { namespace: "shop", name },
    spec: ingressClassName === undefined ? {} : { ingressClassName },
    status: { loadBalancer: { ingress: addresses.map((ip) => ({ ip })) } },
  };
}

describe("the local gateway's Ingress status", () => {
  it("publishes its address on the Ingresses of its class that lack it, and only those", async () => {
    const patches: { path: string; patch: unknown }[] = [];
    const writer = new IngressStatusWriter({ mergePatch: async (path, patch) => void patches.push({ path, patch }) }, silentLogger, "nginx");

    await writer.report([
      ingress("web", "nginx"),
      ingress("web-canary", "nginx", ["10.0.0.9"]),
      ingress("served", "nginx", [localGatewayAddress]),
      ingress("other-class", "traefik"),
      ingress("no-class", undefined),
    ]);

    expect(patches).toEqual([
      { path: "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web/status", patch: { status: { loadBalancer: { ingress: [{ ip: localGatewayAddress }] } } } },
      { path: "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web-canary/status", patch: { status: { loadBalancer: { ingress: [{ ip: localGatewayAddress }] } } } },
    ]);
  });

  it("keeps going when one patch fails, and tries it again on the next report", async () => {
    let calls = 0;
    const writer = new IngressStatusWriter(
      {
        mergePatch: async () => {
          calls += 1;
          if (calls === 1) throw new Error("conflict");
        },
      },
      silentLogger,
      "nginx",
    );

    await writer.report([ingress("web", "nginx")]);
    await writer.report([ingress("web", "nginx")]);

    expect(calls).toBe(2);
  });
});
