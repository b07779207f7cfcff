import { describe, expect, it } from "vitest";

import { k8sTypes, podSpecOf, selectorMatches, trackOf } from "../../../policies/checks/kubernetes";

describe("selectorMatches", () => {
  const labels = { app: "web", track: "stable" };

  it("matches when every matchLabels entry is present", () => {
    expect(selectorMatches({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "api" } }, labels)).toBe(false);
  });

  it("treats an empty selector as selecting everything", () => {
    expect(selectorMatches({}, labels)).toBe(true);
  });

  it.each([
    [{ key: "track", operator: "In", values: ["stable"] }, true],
    [{ key: "track", operator: "In", values: ["canary"] }, false],
    [{ key: "track", operator: "NotIn", values: ["canary"] }, true],
    [{ key: "app", operator: "Exists" }, true],
    [{ key: "tier", operator: "Exists" }, false],
    [{ key: "tier", operator: "DoesNotExist" }, true],
    [{ key: "app", operator: "Gt", values: ["1"] }, false],
  ])("evaluates the expression %o as %s", (expression, expected) => {
    expect(selectorMatches({ matchExpressions: [expression] }, labels)).toBe(expected);
  });
});

describe("podSpecOf", () => {
  it("finds a CronJob's pod spec under its job template", () => {
    const spec = { containers: [] };

    expect(podSpecOf(k8sTypes.cronJob, { spec: { jobTemplate: { spec: { template: { spec } } } } })).toEqual(spec);
  });

  it("returns undefined for kinds that run no pods", () => {
    expect(podSpecOf(k8sTypes.service, { spec: {} })).toBeUndefined();
  });
});

describe("trackOf", () => {
  it("prefers the workload's own track label over its pod template's", () => {
    const props = {
      metadata: { labels: { "rollgate.dev/track": "canary" } },
      spec: { template: { metadata: { labels: { "rollgate.dev/track": "stable" } } } },
    };

    expect(trackOf(k8sTypes.deployment, props)).toBe("canary");
  });
});
