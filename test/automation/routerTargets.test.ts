import { describe, expect, it } from "vitest";
import { routerTargetsFor } from "../../automation/productionAdapters";

/** Pulumi's `--target` glob: `**` is any text, `*` any text without a colon (pkg/resource/deploy UrnTargets). */
function matches(glob: string, urn: string): boolean {
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const pattern = glob.split("**").map((segment) => segment.split("*").map(quote).join("[^:]*")).join(".*");
  return new RegExp(`^${pattern}$`).test(urn);
}

const urn = (type: string, name: string) => `urn:pulumi:staging::rollgate::rollgate:release:CanaryRelease$${type}::${name}`;
const canaryDeployment = urn("rollgate:app:WebService$kubernetes:apps/v1:Deployment", "shop-canary-deployment");
const stableDeployment = urn("rollgate:app:WebService$kubernetes:apps/v1:Deployment", "shop-stable-deployment");
const baselineDeployment = urn("rollgate:app:WebService$kubernetes:apps/v1:Deployment", "shop-baseline-deployment");
const route = urn("rollgate:traffic:TrafficSplit$kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "shop-traffic-httproute");

const targeted = (targets: readonly string[], candidate: string) => targets.some((target) => matches(target, candidate));

describe("routerTargetsFor", () => {
  it("touches only the router's resources when the weight goes down", () => {
    const targets = routerTargetsFor("staging", { scaleCanary: false });

    expect([route, canaryDeployment, stableDeployment].map((candidate) => targeted(targets, candidate))).toEqual([true, false, false]);
  });

  it("scales the canary Deployment with a rising weight, never the stable one", () => {
    const targets = routerTargetsFor("staging", { scaleCanary: true });

    expect([route, canaryDeployment, stableDeployment].map((candidate) => targeted(targets, candidate))).toEqual([true, true, false]);
  });

  it("scales the baseline Deployment with the canary's when the release runs one", () => {
    const targets = routerTargetsFor("staging", { scaleCanary: true, baseline: true });
    const without = routerTargetsFor("staging", { scaleCanary: true });

    expect([route, canaryDeployment, baselineDeployment, stableDeployment].map((candidate) => targeted(targets, candidate))).toEqual([true, true, true, false]);
    expect(targeted(without, baselineDeployment)).toBe(false);
  });
});
