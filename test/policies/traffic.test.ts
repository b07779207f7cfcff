import { describe, expect, it } from "vitest";

import { nginxAnnotations } from "../../components/trafficSplit/routers/nginx/definition";
import { trafficWeightsValid } from "../../policies/traffic";
import type { ResourceInput } from "./helpers";
import { validateResource } from "./helpers";

const httpRoute = (...weights: Array<number | string | undefined>): ResourceInput => ({
  type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  name: "web",
  props: {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace: "apps" },
    spec: {
      parentRefs: [{ name: "gateway" }],
      rules: [
        {
          backendRefs: weights.map((weight, index) => ({
            name: index === 0 ? "web-stable" : "web-canary",
            port: 80,
            ...(weight === undefined ? {} : { weight }),
          })),
        },
      ],
    },
  },
});

const virtualService = (...weights: Array<number | undefined>): ResourceInput => ({
  type: "kubernetes:networking.istio.io/v1beta1:VirtualService",
  name: "web",
  props: {
    metadata: { name: "web" },
    spec: {
      hosts: ["web"],
      http: [
        {
          route: weights.map((weight, index) => ({
            destination: { host: "web", subset: index === 0 ? "stable" : "canary" },
            ...(weight === undefined ? {} : { weight }),
          })),
        },
      ],
    },
  },
});

const canaryIngress = (weight: string): ResourceInput => ({
  type: "kubernetes:networking.k8s.io/v1:Ingress",
  name: "web-canary",
  props: {
    metadata: {
      name: "web-canary",
      annotations: { "nginx.ingress.kubernetes.io/canary": "true", [nginxAnnotations.canaryWeight]: weight },
    },
    spec: { rules: [] },
  },
});

describe("traffic-weights-valid", () => {
  describe("Gateway API HTTPRoute", () => {
    it("passes weights that sum to 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(90, 10));

      expect(outcome.violations).toEqual([]);
      expect(outcome.notApplicable).toBeUndefined();
    });

    it("passes a single backend without a weight", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(undefined));

      expect(outcome.violations).toEqual([]);
    });

    it("passes all traffic on stable with the canary at 0", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(100, 0));

      expect(outcome.violations).toEqual([]);
    });

    it("reports weights that do not sum to 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(90, 20));

      expect(outcome.violations).toEqual(["spec.rules[0].backendRefs weights must sum to 100 (got 110)"]);
    });

    it("reports a weight above 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(150, -50));

      expect(outcome.violations).toEqual([
        "spec.rules[0].backendRefs[0].weight must be an integer from 0 to 100 (got 150)",
        "spec.rules[0].backendRefs[1].weight must be an integer from 0 to 100 (got -50)",
      ]);
    });

    it("reports a fractional weight", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(87.5, 12.5));

      expect(outcome.violations).toHaveLength(2);
      expect(outcome.violations[0]).toContain("must be an integer from 0 to 100 (got 87.5)");
    });

    it("reports a weight given as a string", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute("90", 10));

      expect(outcome.violations).toEqual(['spec.rules[0].backendRefs[0].weight must be an integer from 0 to 100 (got "90")']);
    });

    it("reports a split with a backend missing its weight", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(100, undefined));

      expect(outcome.violations).toEqual(["spec.rules[0].backendRefs[1] must declare a weight when a route splits traffic"]);
    });

    it("reports a single backend weighted 0", async () => {
      const outcome = await validateResource(trafficWeightsValid, httpRoute(0));

      expect(outcome.violations).toEqual(["spec.rules[0].backendRefs weights must sum to 100 (got 0)"]);
    });
  });

  describe("Istio VirtualService", () => {
    it("passes route weights that sum to 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, virtualService(75, 25));

      expect(outcome.violations).toEqual([]);
    });

    it("reports route weights that do not sum to 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, virtualService(75, 20));

      expect(outcome.violations).toEqual(["spec.http[0].route weights must sum to 100 (got 95)"]);
    });

    it("reports a route weight out of range", async () => {
      const outcome = await validateResource(trafficWeightsValid, virtualService(101, 0));

      expect(outcome.violations).toEqual(["spec.http[0].route[0].weight must be an integer from 0 to 100 (got 101)"]);
    });
  });

  describe("nginx canary Ingress", () => {
    it("passes a canary-weight from 0 to 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, canaryIngress("25"));

      expect(outcome.violations).toEqual([]);
    });

    it("reports a canary-weight above 100", async () => {
      const outcome = await validateResource(trafficWeightsValid, canaryIngress("120"));

      expect(outcome.violations).toEqual([
        'annotation nginx.ingress.kubernetes.io/canary-weight must be an integer from 0 to 100 (got "120")',
      ]);
    });

    it("reports a canary-weight that is not an integer", async () => {
      const outcome = await validateResource(trafficWeightsValid, canaryIngress("12.5"));

      expect(outcome.violations).toHaveLength(1);
    });
  });

  it("does not apply to a Deployment", async () => {
    const outcome = await validateResource(trafficWeightsValid, {
      type: "kubernetes:apps/v1:Deployment",
      props: {},
    });

    expect(outcome.notApplicable).toBe("Not a traffic-routing resource");
  });
});
