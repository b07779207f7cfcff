/**
 * The controller and risk classification: the classifier sees the release's
 * first update before anything changes, its plan is used when the request
 * gives no steps, the record keeps the level and reasons, and a change whose
 * preview fails is refused with nothing created.
 */
import { describe, expect, it } from "vitest";
import type { ReleaseChange, ReleaseRiskAssessment } from "../../../automation/release/risk/assessRelease";
import { ReleaseValidationError } from "../../../automation/release/errors";
import { parseStartReleaseRequest, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { planSteps } from "../../../automation/release/steps";
import { KEYS, harness, scriptTraffic } from "./fakes";

const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };

const lowRisk: ReleaseRiskAssessment = {
  level: "low",
  score: 1,
  reasons: [{ signal: "preview", detail: "1 resource(s) updated × 1 points (kubernetes:apps/v1:Deployment)", points: 1 }],
  plan: { planLevel: "low", steps: planSteps([25, 100], 0), approvalRequired: false, why: "low risk: the low plan" },
};

function request(input: Partial<StartReleaseRequestInput> = {}) {
  return parseStartReleaseRequest({ environment: "staging", image: CANARY, ...input });
}

function riskHarness(assess: (change: ReleaseChange) => Promise<ReleaseRiskAssessment>) {
  const changes: ReleaseChange[] = [];
  const h = harness({
    risk: (change) => {
      changes.push(change);
      return assess(change);
    },
  });
  scriptTraffic(h.metrics, scope);
  return { ...h, changes };
}

describe("release risk in the controller", () => {
  it("classifies the release's first update (canary image at weight 0) with the CI signals, before any update", async () => {
    const h = riskHarness(() => Promise.resolve(lowRisk));

    await h.controller.start(request({ riskSignals: { testsFailed: 0, filesChanged: 3 } }), "alice");

    expect(h.changes).toHaveLength(1);
    expect(h.changes[0]).toMatchObject({
      environment: "staging",
      stack: "staging",
      config: { [KEYS.canaryImage]: { value: CANARY }, [KEYS.canaryWeight]: { value: "0" } },
      image: { current: "registry.example/web:1.0.0", candidate: CANARY },
      ci: { testsFailed: 0, filesChanged: 3 },
    });
  });

  it("runs the risk level's plan when the request gives no steps, and records why", async () => {
    const h = riskHarness(() => Promise.resolve(lowRisk));

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(started.steps.map((step) => ("weight" in step ? step.weight : undefined))).toEqual([25, 100]);
    expect(started.risk).toEqual({
      level: "low",
      score: 1,
      reasons: lowRisk.reasons,
      plan: { level: "low", why: "low risk: the low plan", approvalRequired: false, stepsFrom: "risk" },
    });
    expect(final.status).toBe("succeeded");
  });

  it("keeps the request's own steps and still records the risk", async () => {
    const h = riskHarness(() => Promise.resolve(lowRisk));

    const started = await h.controller.start(request({ steps: [{ weight: 10 }, { weight: 100 }] }), "alice");

    expect(started.steps.map((step) => ("weight" in step ? step.weight : undefined))).toEqual([10, 100]);
    expect(started.risk?.plan).toMatchObject({ stepsFrom: "request", why: "low risk; the request gave its own steps" });
  });

  it("refuses a change whose preview fails, naming why, and creates nothing", async () => {
    const h = riskHarness(() => Promise.reject(new Error("error: preview failed: mandatory policy violation workload-image-pinned")));

    const refused = h.controller.start(request(), "alice");

    await expect(refused).rejects.toBeInstanceOf(ReleaseValidationError);
    await expect(refused).rejects.toThrow(/`image` cannot be released to `staging`: the preview of its first update failed: .*workload-image-pinned/);
    expect(await h.store.list()).toEqual([]);
    expect(h.engine.ups).toEqual([]);
  });
});
