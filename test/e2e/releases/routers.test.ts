/**
 * A release on each in-cluster router besides Gateway API (which
 * canaryAnalysis.test.ts covers): the real service drives a `staging` stack
 * on `nginx` (Ingress is built into Kubernetes) and on `istio` (the Istio
 * CRDs `npm run cluster -- up` installs) through the real engine and local
 * cluster; the release controller reads the live weight with the router's
 * own reader, and a real Prometheus judges each step. No ingress-nginx or
 * Envoy runs here: the traffic driver plays the proxy by the weight on the
 * router's live object, and, on nginx, the local gateway's Ingress status
 * writer publishes the address ingress-nginx would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstImage, ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";
import type { InClusterRouter } from "../../support/routerObjects";
import { WeightWatcher } from "../../support/weightWatcher";

const healthyImage = "ghcr.io/rollgate/sample-app:1.1.0";
const quickAnalysis = { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 };
const quickSteps = (weights: readonly number[]) => weights.map((weight) => ({ weight, pauseSeconds: 10 }));

describe.each<InClusterRouter>(["nginx", "istio"])("a canary release on the %s router", (router) => {
  const env = new ReleaseEnvironment(`routers-${router}`, { router });
  const watcher = new WeightWatcher(() => env.liveWeight());

  /** The release record and the service's log lines about it, for a failing assertion's message. */
  const story = (release: { id: string }) =>
    [JSON.stringify(release), ...(env.service?.logs ?? []).filter((line) => line.releaseId === release.id).map((line) => JSON.stringify(line))].join("\n");

  beforeAll(async () => {
    await env.start();
    watcher.start();
  });

  afterAll(async () => {
    watcher.stop();
    await env.stop();
  });

  it("promotes a healthy canary through 25 → 100, each weight live on the router's object", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });

    const started = await env.startRelease({ image: healthyImage, steps: quickSteps([25, 100]), analysis: quickAnalysis });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const release = await env.settled(started.body.id, 420_000);

    expect(release, story(release)).toMatchObject({ status: "succeeded", image: healthyImage, previousImage: firstImage });
    expect(release.analysis.length).toBeGreaterThanOrEqual(2);
    expect(release.analysis.every((record) => record.phase === "successful")).toBe(true);
    expect(await env.deploymentImage(stableName)).toBe(healthyImage);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    const seen = watcher.samples.map((sample) => sample.weight).filter((weight, index, all) => weight !== all[index - 1]);
    expect(seen).toEqual(expect.arrayContaining([25, 100]));
  });

  it("rolls back a canary failing 20% of requests: the router's object gives the canary 0 and stable keeps its image", async () => {
    env.canary.setBehaviour({ errorRate: 0.2, extraLatencyMs: 0 });

    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.2.0-bad", steps: quickSteps([25, 100]), analysis: quickAnalysis });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const release = await env.settled(started.body.id);

    expect(release, story(release)).toMatchObject({ status: "rolledBack", previousImage: healthyImage, weight: 0, step: 0 });
    expect(release.analysis.find((record) => record.phase === "failed")).toMatchObject({ metric: "error-rate", step: 0 });
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);
    expect(await env.deploymentImage(stableName)).toBe(healthyImage);
    const seen = watcher.samples.map((sample) => sample.weight);
    expect(seen).toContain(25);
  });
});
