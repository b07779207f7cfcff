import { describe, expect, it } from "vitest";
import { routerDefinitions } from "../../../components/trafficSplit/routers/registry";
import type { PlannedStep } from "../../../automation/release/steps";
import {
  describeStep,
  routingConfig,
  stepCapabilityIssues,
  stepOrderProblems,
  stepRouting,
  weightBefore,
} from "../../../automation/release/stepRouting";

const header = { name: "x-canary", value: "internal" };
const mirrored: PlannedStep[] = [
  { mirror: 20, pauseSeconds: 60 },
  { header, pauseSeconds: 60 },
  { weight: 10, pauseSeconds: 60 },
  { header, pauseSeconds: 60 },
  { weight: 100, pauseSeconds: 60 },
];
const keys = { canaryWeight: "w", canaryMirrorPercent: "m", canaryHeaderName: "hn", canaryHeaderValue: "hv" };

describe("step routing", () => {
  it("keeps the last weight for mirror and header steps, 0 before any weight step", () => {
    expect(mirrored.map((_step, index) => weightBefore(mirrored, index))).toEqual([0, 0, 0, 10, 10]);
  });

  it("sets only the step's own mirroring or header routing, clearing the other", () => {
    expect(mirrored.map((_step, index) => stepRouting(mirrored, index))).toEqual([
      { weight: 0, mirrorPercent: 20 },
      { weight: 0, header },
      { weight: 10 },
      { weight: 10, header },
      { weight: 100 },
    ]);
  });

  it("describes each step for logs and reasons", () => {
    expect(mirrored.map((_step, index) => describeStep(mirrored, index))).toEqual([
      "mirror 20% (weight 0%)",
      "header x-canary: internal (weight 0%)",
      "10%",
      "header x-canary: internal (weight 10%)",
      "100%",
    ]);
  });

  it("refuses a step index past the end", () => {
    expect(() => stepRouting(mirrored, 5)).toThrow("there is no step 6 of 5");
  });
});

describe("stack config of a step's routing", () => {
  it("writes only the weight for a release of weight steps", () => {
    expect(routingConfig({ weight: 25 }, [{ weight: 25, pauseSeconds: 0 }], keys)).toEqual({ w: "25" });
  });

  it("sets the mirror percent and clears the header keys", () => {
    expect(routingConfig({ weight: 0, mirrorPercent: 20 }, mirrored, keys)).toEqual({ w: "0", m: "20", hn: "", hv: "" });
  });

  it("sets the header and clears the mirror percent", () => {
    expect(routingConfig({ weight: 10, header }, mirrored, keys)).toEqual({ w: "10", m: "", hn: "x-canary", hv: "internal" });
  });

  it("clears both on a weight step of a release that has mirror or header steps", () => {
    expect(routingConfig({ weight: 100 }, mirrored, keys)).toEqual({ w: "100", m: "", hn: "", hv: "" });
  });
});

describe("step order", () => {
  it("accepts mirror steps first and header steps before the weight reaches 100", () => {
    expect(stepOrderProblems(mirrored)).toEqual([]);
  });

  it("names a mirror step after a weight step and a header step after weight 100", () => {
    const steps: PlannedStep[] = [
      { weight: 10, pauseSeconds: 0 },
      { mirror: 5, pauseSeconds: 0 },
      { weight: 100, pauseSeconds: 0 },
      { header, pauseSeconds: 0 },
    ];

    expect(stepOrderProblems(steps).map((problem) => [problem.index, problem.field])).toEqual([
      [1, "mirror"],
      [3, "header"],
    ]);
  });
});

describe("router capabilities of steps", () => {
  const router = (kind: keyof typeof routerDefinitions) => ({ kind, capabilities: routerDefinitions[kind].capabilities });

  it("names each step the router cannot do, with the router", () => {
    expect(stepCapabilityIssues(mirrored, router("nginx"))).toEqual([
      { field: "steps[0].mirror", message: "cannot be used: router nginx cannot mirror traffic" },
    ]);
    expect(stepCapabilityIssues(mirrored, router("cloudflare"))).toEqual([
      { field: "steps[0].mirror", message: "cannot be used: router cloudflare cannot mirror traffic" },
      { field: "steps[1].header", message: "cannot be used: router cloudflare cannot route by header" },
      { field: "steps[3].header", message: "cannot be used: router cloudflare cannot route by header" },
    ]);
  });

  it("has nothing against routers with both capabilities, nor against weight steps", () => {
    expect(stepCapabilityIssues(mirrored, router("gateway-api"))).toEqual([]);
    expect(stepCapabilityIssues(mirrored, router("istio"))).toEqual([]);
    expect(stepCapabilityIssues([{ weight: 50, pauseSeconds: 0 }], router("cloudflare"))).toEqual([]);
  });
});
