import { describe, expect, it } from "vitest";
import { behaviourOf, fails } from "../../examples/sample-app/behaviour";

describe("the sample app's behaviour, from its image tag", () => {
  it.each([
    ["ghcr.io/rollgate/sample-app:1.1.0", { errorRate: 0, latencyFactor: 1 }],
    ["ghcr.io/rollgate/sample-app:1.1.0-errors", { errorRate: 0.2, latencyFactor: 1 }],
    ["ghcr.io/rollgate/sample-app:1.1.0-slow", { errorRate: 0, latencyFactor: 10 }],
    ["registry.local:5000/rollgate/sample-app:2.0.0-slow-errors", { errorRate: 0.2, latencyFactor: 10 }],
    [`ghcr.io/rollgate/sample-app:1.1.0-errors@sha256:${"b".repeat(64)}`, { errorRate: 0.2, latencyFactor: 1 }],
    ["registry.local:5000/rollgate/sample-app", { errorRate: 0, latencyFactor: 1 }],
  ])("%s", (image, expected) => {
    expect(behaviourOf(image)).toEqual(expected);
  });

  it("fails exactly the share asked for, spread evenly", () => {
    const failures = Array.from({ length: 100 }, (_, i) => fails(i + 1, 0.2));
    expect(failures.filter(Boolean)).toHaveLength(20);
    expect(failures.slice(0, 5).filter(Boolean)).toHaveLength(1);
  });
});
