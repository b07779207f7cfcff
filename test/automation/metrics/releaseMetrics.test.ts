import { describe, expect, it } from "vitest";
import { systemClock } from "../../../automation/deps";
import { parseStartReleaseRequest, type Release } from "../../../automation/release/schemas";
import { createRelease, transition } from "../../../automation/release/stateMachine";
import { MetricsRegistry } from "../../../automation/services/metrics/exposition";
import { bandScore, registerReleaseMetrics } from "../../../automation/services/metrics/releaseMetrics";

const now = new Date("2030-01-10T00:00:00.000Z");

function release(id: string, environment: string, startedAt: string, change: (release: Release) => Release = (r) => r): Release {
  const request = parseStartReleaseRequest({ environment, image: `ghcr.io/acme/web:${id}`, steps: [{ weight: 25 }, { weight: 100 }] });
  return change(createRelease(request, { id, actor: "ci", previousImage: "ghcr.io/acme/web:1", at: new Date(startedAt) }));
}

const active = release("rel-2", "production", "2030-01-09T23:00:00.000Z", (r) => ({
  ...r,
  step: 1,
  weight: 25,
  analysis: [
    { step: 0, metric: "error-rate", value: 0.02, threshold: 0.01, phase: "failed", at: "2030-01-09T23:10:00.000Z", detail: "x" },
    { step: 1, metric: "error-rate", value: 0.001, threshold: 0.01, phase: "successful", at: "2030-01-09T23:20:00.000Z", detail: "y" },
  ],
}));
const promoted = release("rel-1", "production", "2030-01-08T00:00:00.000Z", (r) => transition(r, "succeeded", { at: new Date("2030-01-08T01:00:00.000Z") }));
const rolledBack = release("rel-3", "staging", "2030-01-09T00:00:00.000Z", (r) => transition(r, "rolledBack", { at: new Date("2030-01-09T01:00:00.000Z") }));

async function render(releases: Release[]): Promise<string> {
  const registry = new MetricsRegistry();
  registerReleaseMetrics(registry, {
    releases: async () => releases,
    targetFor: async (environment) => {
      if (environment === "staging") throw new Error("no config");
      return { app: "web", namespace: `web-${environment}` };
    },
    clock: { ...systemClock, now: () => now },
  });
  return registry.render();
}

describe("release metrics", () => {
  it("exports each active release's step and weight", async () => {
    const text = await render([promoted, active, rolledBack]);

    expect(text).toContain('rollgate_release_step{environment="production",release_id="rel-2"} 2');
    expect(text).toContain('rollgate_release_weight{environment="production",release_id="rel-2"} 25');
    expect(text).not.toContain('release_id="rel-1"');
  });

  it("exports the canary weight per environment with the app and namespace the Grafana dashboard selects", async () => {
    const text = await render([promoted, active, rolledBack]);

    expect(text).toContain('rollgate_canary_weight{environment="production",app="web",namespace="web-production"} 25');
    expect(text).toContain('rollgate_canary_weight{environment="staging",app="",namespace=""} 0');
  });

  it("exports the latest measurement of each analysis metric with its threshold, and counts results", async () => {
    const text = await render([active]);

    expect(text).toContain('rollgate_release_analysis_value{environment="production",release_id="rel-2",metric="error-rate"} 0.001');
    expect(text).toContain('rollgate_release_analysis_threshold{environment="production",release_id="rel-2",metric="error-rate"} 0.01');
    expect(text).toContain('rollgate_release_analysis_measurements{environment="production",metric="error-rate",phase="failed"} 1');
    expect(text).toContain('rollgate_release_analysis_measurements{environment="production",metric="error-rate",phase="successful"} 1');
  });

  it("exports the DORA figures and bands per environment", async () => {
    const text = await render([promoted, active, rolledBack]);

    expect(text).toContain('rollgate_dora_deployments_per_day{environment="production",window="30d"} 0.03333333333333333');
    expect(text).toContain('rollgate_dora_change_failure_ratio{environment="production",window="30d"} 0');
    expect(text).toContain('rollgate_dora_change_failure_ratio{environment="staging",window="30d"} 1');
    expect(text).toContain(`rollgate_dora_band{environment="staging",figure="changeFailureRate",window="30d"} ${bandScore("low")}`);
    expect(text).not.toContain("rollgate_dora_lead_time_seconds{");
  });

  it("renders the headers and no samples without releases, and survives a failing source", async () => {
    const registry = new MetricsRegistry();
    registerReleaseMetrics(registry, { releases: async () => Promise.reject(new Error("disk gone")), clock: { ...systemClock, now: () => now } });

    const text = await registry.render();

    expect(text).toContain("# TYPE rollgate_release_weight gauge");
    expect(text.split("\n").filter((line) => line !== "" && !line.startsWith("#"))).toEqual([]);
  });
});
