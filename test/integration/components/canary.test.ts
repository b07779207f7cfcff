/**
 * A canary release (the dev stack's config: staging, Gateway API router) in
 * its own namespace, stepped 0 → 25 → 100 % and removed by the real engine;
 * the HTTPRoute is read back from the apiserver after every step.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import type { EngineEvent, StackConfig } from "../../../automation/engine/port";
import { program } from "../../../infra/program";
import { backendWeights, readHttpRoute } from "../../support/gatewayApi";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { stackConfigFromFile } from "../../support/stackConfig";
import { Timings } from "../../support/timing";
import { deploymentAvailable, gone } from "../../support/workloads";

const stack = `it-canary-${process.pid}`;
const namespace = `it-canary-${process.pid}`;
const app = "sample-app";
const stableImage = "ghcr.io/rollgate/sample-app:1.0.0";
const canaryImage = "ghcr.io/rollgate/sample-app:1.1.0";
const stableName = `${app}-stable`;
const canaryName = `${app}-canary`;
const devStackFile = resolve(__dirname, "../../../stacks/Pulumi.dev.yaml");

/** The dev stack's config in this test's namespace, with the canary image (empty: none) and weight. */
function config(canary: string, canaryWeight: number): StackConfig {
  return stackConfigFromFile(devStackFile, {
    "rollgate:namespace": namespace,
    "rollgate:hostnames": JSON.stringify([`${namespace}.rollgate.localhost`]),
    "rollgate:stableImage": stableImage,
    // Blank counts as unset: the engine only ever adds config keys, so removing the canary means blanking it.
    "rollgate:canaryImage": canary,
    "rollgate:canaryWeight": String(canaryWeight),
  });
}

/** The type segment of a URN (`urn:pulumi:stack::project::parent$type::name`). */
function urnType(urn: string): string {
  const qualifiedType = urn.split("::")[2] ?? "";
  return qualifiedType.split("$").pop() ?? "";
}

/** Index of the first event of `type` for a resource of `resourceType` named `*::name`, or -1. */
function eventIndex(events: readonly EngineEvent[], type: string, resourceType: string, name: string): number {
  return events.findIndex(
    (event) =>
      event.type === type &&
      event.urn !== undefined &&
      urnType(event.urn) === resourceType &&
      event.urn.endsWith(`::${name}`),
  );
}

const deploymentType = "kubernetes:apps/v1:Deployment";
const httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

const policiesDir = resolve(__dirname, "../../../policies");

describe("a canary release on the local cluster", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-it-canary-"));
  // As the service runs it: the policy pack on every preview and update, with the staging environment's config.
  const engine = new LocalStackEngine({
    program,
    workspacesDir,
    policyPacks: [policiesDir],
    policyPackConfig: () => join(policiesDir, "config", "staging.json"),
  });
  const { core, apps, custom } = kubeClients();
  const timings = new Timings("canary");
  const route = () => readHttpRoute(custom, namespace, app);

  beforeAll(async () => {
    await timings.measure("up (create, weight 0, no canary)", () => engine.up(stack, config("", 0)));
  });

  afterAll(async () => {
    await engine.destroy(stack);
    rmSync(workspacesDir, { recursive: true, force: true });
    console.info(`[timing] summary\n${timings.summary()}`);
  });

  it("at weight 0 without a canary image, routes everything to stable and creates no canary", async () => {
    expect(await deploymentAvailable(apps, namespace, stableName)).toBe(true);
    expect(backendWeights(await route())).toEqual({ [stableName]: 100 });
    expect(await gone(() => apps.readNamespacedDeployment({ name: canaryName, namespace }))).toBe(true);
    expect(await engine.outputs(stack)).toMatchObject({
      environment: "staging",
      namespace,
      url: `http://${namespace}.rollgate.localhost`,
      stableImage,
      canaryImage: null,
      canaryDeploymentName: null,
      stableWeight: 100,
      canaryWeight: 0,
    });
  });

  it("attaches the route to the shared Gateway for the release's host name", async () => {
    const { spec } = await route();
    expect(spec.hostnames).toEqual([`${namespace}.rollgate.localhost`]);
    expect(spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "rollgate-gateway", namespace: "rollgate-system" },
    ]);
  });

  it("at weight 25, runs an available canary Deployment and splits 75/25, routing only once it is ready", async () => {
    const events: EngineEvent[] = [];
    const result = await timings.measure("up (canary created, weight 25)", () =>
      engine.up(stack, config(canaryImage, 25), { onEvent: (event) => events.push(event) }),
    );
    const canaryReady = eventIndex(events, "resource-done", deploymentType, "sample-app-canary-deployment");
    const routeUpdate = eventIndex(events, "resource-pre", httpRouteType, "sample-app-traffic-httproute");
    expect(canaryReady).toBeGreaterThanOrEqual(0);
    expect(routeUpdate).toBeGreaterThan(canaryReady);
    expect(await deploymentAvailable(apps, namespace, canaryName)).toBe(true);
    const canary = await apps.readNamespacedDeployment({ name: canaryName, namespace });
    expect(canary.spec?.template.spec?.containers[0]?.image).toBe(canaryImage);
    expect(backendWeights(await route())).toEqual({ [stableName]: 75, [canaryName]: 25 });
    expect(result.outputs).toMatchObject({
      canaryImage,
      canaryDeploymentName: canaryName,
      stableWeight: 75,
      canaryWeight: 25,
    });
  });

  it("previews a weight-only change as an update of the HTTPRoute and nothing else", async () => {
    const preview = await timings.measure("preview (weight 25 → 50)", () =>
      engine.preview(stack, config(canaryImage, 50)),
    );
    const steps = Object.entries(preview.steps);
    expect(steps.length).toBeGreaterThan(0);
    for (const [urn, op] of steps) {
      expect({ urn, op }).toEqual({ urn: expect.stringMatching(/::sample-app-traffic-httproute$/), op: "update" });
      expect(urnType(urn)).toBe(httpRouteType);
    }
    expect(preview.changes).toMatchObject({ update: steps.length });
    // A preview changes nothing in the cluster.
    expect(backendWeights(await route())).toEqual({ [stableName]: 75, [canaryName]: 25 });
  });

  it("at weight 100, scales the canary to stable's replicas before sending it everything", async () => {
    const events: EngineEvent[] = [];
    const result = await timings.measure("up (25 → 100, canary scaled)", () =>
      engine.up(stack, config(canaryImage, 100), { onEvent: (event) => events.push(event) }),
    );
    // Canary replicas follow the weight: ceil(2 stable replicas × 25 %) = 1 before, 2 at 100 %.
    const canaryScaled = eventIndex(events, "resource-done", deploymentType, "sample-app-canary-deployment");
    const routeUpdate = eventIndex(events, "resource-pre", httpRouteType, "sample-app-traffic-httproute");
    expect(canaryScaled).toBeGreaterThanOrEqual(0);
    expect(routeUpdate).toBeGreaterThan(canaryScaled);
    expect(result.changes.update).toBe(2);
    expect(Object.keys(result.changes).sort()).toEqual(["same", "update"]);
    expect(backendWeights(await route())).toEqual({ [stableName]: 0, [canaryName]: 100 });
    const canary = await apps.readNamespacedDeployment({ name: canaryName, namespace });
    expect(canary.spec?.replicas).toBe(2);
    expect(await deploymentAvailable(apps, namespace, canaryName)).toBe(true);
  });

  it("removing the canary image puts all traffic back on stable, then deletes the canary", async () => {
    const events: EngineEvent[] = [];
    const result = await timings.measure("up (canary removed)", () =>
      engine.up(stack, config("", 0), { onEvent: (event) => events.push(event) }),
    );
    const routeUpdated = eventIndex(events, "resource-done", httpRouteType, "sample-app-traffic-httproute");
    const canaryDelete = eventIndex(events, "resource-pre", deploymentType, "sample-app-canary-deployment");
    expect(routeUpdated).toBeGreaterThanOrEqual(0);
    expect(canaryDelete).toBeGreaterThan(routeUpdated);
    expect(backendWeights(await route())).toEqual({ [stableName]: 100 });
    expect(await gone(() => apps.readNamespacedDeployment({ name: canaryName, namespace }))).toBe(true);
    expect(await gone(() => core.readNamespacedService({ name: canaryName, namespace }))).toBe(true);
    expect(await deploymentAvailable(apps, namespace, stableName)).toBe(true);
    expect(result.outputs).toMatchObject({
      canaryImage: null,
      canaryDeploymentName: null,
      stableWeight: 100,
      canaryWeight: 0,
    });
  });

  it("destroys the namespace and removes the stack from the backend", async () => {
    await timings.measure("destroy", () => engine.destroy(stack));
    expect(await eventually(() => namespaceGone(core, namespace), 120_000)).toBe(true);
    expect((await engine.list()).map((summary) => summary.name)).not.toContain(stack);
  });
});
