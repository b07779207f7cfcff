/**
 * The local data plane against the real cluster, with real nginx and real
 * Prometheus: Deployments of the sample app's image get local processes, the
 * gateway splits a hostname's requests by the live HTTPRoute's weights (and
 * follows a weight change within a second), the gateway's access counts and
 * the apps' own metrics reach Prometheus, and a bad image tag behaves badly.
 * The pods are simulated (KWOK runs no containers); routing and metrics are real.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../automation/dataplane/freePort";
import { eventually, kubeClients } from "../../support/kube";

const namespace = `rg-dataplane-${process.pid}`;
const host = `shop-${process.pid}.local.test`;
const repository = "ghcr.io/rollgate/sample-app";
const { core, apps, custom } = kubeClients();

function deployment(track: "stable" | "canary", image: string) {
  const labels = { "app.kubernetes.io/name": "shop", "rollgate.dev/track": track };
  return {
    metadata: { name: `shop-${track}`, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "app", image }] } },
    },
  };
}

function service(track: "stable" | "canary") {
  return {
    metadata: { name: `shop-${track}`, namespace },
    spec: { selector: { "app.kubernetes.io/name": "shop", "rollgate.dev/track": track }, ports: [{ name: "http", port: 80 }] },
  };
}

function route(canaryWeight: number) {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "shop", namespace },
    spec: {
      parentRefs: [{ name: "rollgate-gateway", namespace: "rollgate-system" }],
      hostnames: [host],
      rules: [{ backendRefs: [{ name: "shop-stable", port: 80, weight: 100 - canaryWeight }, { name: "shop-canary", port: 80, weight: canaryWeight }] }],
    },
  };
}

async function setWeight(canaryWeight: number): Promise<void> {
  const current = (await custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name: "shop" })) as {
    metadata: { resourceVersion: string };
  };
  const next = route(canaryWeight);
  await custom.replaceNamespacedCustomObject({
    group: "gateway.networking.k8s.io",
    version: "v1",
    namespace,
    plural: "httproutes",
    name: "shop",
    body: { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } },
  });
}

describe("the local data plane", () => {
  const dir = mkdtempSync(join(tmpdir(), "rg-dataplane-"));
  let child: ChildProcess;
  let gateway = "";
  let prometheus = "";
  let status = "";

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await apps.createNamespacedDeployment({ namespace, body: deployment("stable", `${repository}:1.0.0`) });
    await apps.createNamespacedDeployment({ namespace, body: deployment("canary", `${repository}:1.1.0-errors`) });
    await core.createNamespacedService({ namespace, body: service("stable") });
    await core.createNamespacedService({ namespace, body: service("canary") });
    await custom.createNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", body: route(25) });

    const [gatewayPort, prometheusPort, statusPort] = [await freePort(), await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    prometheus = `http://127.0.0.1:${prometheusPort}`;
    status = `http://127.0.0.1:${statusPort}`;
    child = spawn(process.execPath, ["--import", "tsx", "automation/dataplane/main.ts"], {
      cwd: resolve(__dirname, "../../.."),
      env: {
        ...process.env,
        ROLLGATE_DATAPLANE_DIR: dir,
        ROLLGATE_GATEWAY_PORT: String(gatewayPort),
        ROLLGATE_PROMETHEUS_PORT: String(prometheusPort),
        ROLLGATE_DATAPLANE_PORT: String(statusPort),
        // The test sends its own requests, so the counts it checks are its own.
        ROLLGATE_TRAFFIC_RPS: "0",
      },
      stdio: ["ignore", openSync(join(dir, "dataplane.log"), "a"), openSync(join(dir, "dataplane.log"), "a")],
    });
    const ready = await eventually(async () => {
      const body = (await (await fetch(`${status}/status`)).json()) as { workloads: { ready: boolean; deployment: string; namespace: string }[] };
      return body.workloads.filter((workload) => workload.namespace === namespace && workload.ready).length === 2;
    }, 60_000);
    expect(ready).toBe(true);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** A request through the gateway for `hostname` (fetch cannot set Host). */
  function get(hostname: string): Promise<{ status: number; track?: string }> {
    return new Promise((done, failed) => {
      const req = request(`${gateway}/`, { headers: { host: hostname }, agent: false }, (res) => {
        res.resume();
        res.once("end", () => {
          const track = res.headers["x-rollgate-track"];
          done({ status: res.statusCode ?? 0, ...(typeof track === "string" ? { track } : {}) });
        });
      });
      req.once("error", failed);
      req.end();
    });
  }

  async function split(requests: number): Promise<{ stable: number; canary: number; errors: number }> {
    const counts = { stable: 0, canary: 0, errors: 0 };
    for (let i = 0; i < requests; i++) {
      const response = await get(host);
      const track = response.track;
      if (track === "stable" || track === "canary") counts[track] += 1;
      if (response.status >= 500) counts.errors += 1;
    }
    return counts;
  }

  it("splits a hostname's requests by the live route's weights, and follows a change within a second", async () => {
    // nginx's worker processes each keep their own weighted round robin, so which of them takes a request makes
    // the split vary like a random draw: a 25 % share within 4 binomial standard deviations fails by chance about
    // once in 16,000 runs (±5 points of 200 requests was 1.6 deviations wide, and failed in CI at 18.5 %).
    const requests = 400;
    const first = await split(requests);
    const spread = 4 * Math.sqrt((0.25 * 0.75) / requests);
    expect(Math.abs(first.canary / requests - 0.25)).toBeLessThanOrEqual(spread);
    // The canary runs `1.1.0-errors`: about a fifth of its answers are 500s, the stable's none.
    expect(first.errors).toBeGreaterThan(0);
    expect(first.errors).toBeLessThanOrEqual(first.canary);

    const changed = Date.now();
    await setWeight(0);
    const followed = await eventually(async () => (await split(20)).canary === 0, 5_000, 50);
    expect(followed).toBe(true);
    expect(Date.now() - changed).toBeLessThan(1_500);
  });

  it("reports the route Accepted, with the generation it serves, as a Gateway API implementation does", async () => {
    interface Status {
      metadata: { generation: number };
      status?: { parents?: { controllerName: string; parentRef: { name: string }; conditions: { type: string; status: string; observedGeneration: number }[] }[] };
    }
    const read = async () =>
      (await custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name: "shop" })) as Status;
    const served = async (route: Status) =>
      route.status?.parents?.[0]?.conditions.every((condition) => condition.status === "True" && condition.observedGeneration === route.metadata.generation) === true;

    await setWeight(40);
    expect(await eventually(async () => served(await read()), 5_000, 50)).toBe(true);

    const route = await read();
    expect(route.status?.parents).toHaveLength(1);
    expect(route.status?.parents?.[0]).toMatchObject({ controllerName: "rollgate.dev/local-gateway", parentRef: { name: "rollgate-gateway" } });
    expect(route.status?.parents?.[0]?.conditions.map((condition) => condition.type).sort()).toEqual(["Accepted", "ResolvedRefs"]);
    await setWeight(0);
  });

  it("answers 404 for a hostname no route has", async () => {
    const response = await get("nobody.local.test");
    expect(response.status).toBe(404);
  });

  it("has Prometheus scrape the apps' metrics and the gateway's own access counts", async () => {
    const query = async (promql: string): Promise<number> => {
      const body = (await (await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {
        data?: { result?: { value?: [number, string] }[] };
      };
      return Number(body.data?.result?.[0]?.value?.[1] ?? Number.NaN);
    };
    const scraped = await eventually(async () => {
      const [apps5xx, gatewayCanary] = await Promise.all([
        query(`sum(http_requests_total{namespace="${namespace}",track="canary",code="500"})`),
        query(`sum(gateway_requests_total{namespace="${namespace}",track="canary"})`),
      ]);
      return apps5xx > 0 && gatewayCanary > 0;
    }, 30_000, 500);
    expect(scraped).toBe(true);
  });

  it("stops a Deployment's process when the Deployment goes", async () => {
    await apps.deleteNamespacedDeployment({ name: "shop-canary", namespace });
    const stopped = await eventually(async () => {
      const body = (await (await fetch(`${status}/status`)).json()) as { workloads: { namespace: string; deployment: string }[] };
      return !body.workloads.some((workload) => workload.namespace === namespace && workload.deployment === "shop-canary");
    }, 10_000, 100);
    expect(stopped).toBe(true);
  });
});
