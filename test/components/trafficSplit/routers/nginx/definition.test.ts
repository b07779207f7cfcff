import { describe, expect, it } from "vitest";
import { canaryIngressWeight, nginxAnnotations } from "../../../../../components/trafficSplit/routers/nginx/definition";

const ingress = (annotations: Record<string, string>) => ({ metadata: { name: "web-canary", annotations } });
const canary = { [nginxAnnotations.canary]: "true" };

describe("canaryIngressWeight", () => {
  it.each([0, 5, 25, 100])("reads canary-weight %i as %i%%", (weight) => {
    expect(canaryIngressWeight(ingress({ ...canary, [nginxAnnotations.canaryWeight]: String(weight) }))).toBe(weight);
  });

  it("reads the weight out of canary-weight-total", () => {
    const annotations = { ...canary, [nginxAnnotations.canaryWeight]: "250", [nginxAnnotations.canaryWeightTotal]: "1000" };

    expect(canaryIngressWeight(ingress(annotations))).toBe(25);
  });

  it("reads 0 when the canary Ingress has no weight, as ingress-nginx does", () => {
    expect(canaryIngressWeight(ingress(canary))).toBe(0);
  });

  it("fails for an Ingress not marked as a canary, since ingress-nginx would not split to it", () => {
    expect(() => canaryIngressWeight(ingress({ [nginxAnnotations.canaryWeight]: "25" }))).toThrow("is not marked");
  });

  it("fails on a weight that is not a whole number", () => {
    expect(() => canaryIngressWeight(ingress({ ...canary, [nginxAnnotations.canaryWeight]: "2.5" }))).toThrow(
      'canary-weight annotation must be a whole number (got "2.5")',
    );
  });
});
