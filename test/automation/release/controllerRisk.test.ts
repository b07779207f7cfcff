/**
 * The controller and risk classification: the classifier sees the release's
 * first update before anything changes, its plan is used when the request
 * gives no steps, the record keeps the level and reasons, and a change whose
 * preview fails is refused with nothing created.
 */
import { describe, expect, it } from "vitest";
import type { ReleaseChange, ReleaseRiskAssessment } from "../../../automation/release/risk/assessRelease";
import { ReleaseValidationError, SelfApprovalError } from "../../../automation/release/errors";
import { parseStartReleaseRequest, type Release, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { planSteps } from "../../../automation/release/steps";
import { KEYS, harness, scriptTraffic } from "./fakes";

const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };

const lowRisk: ReleaseRiskAssessment = {
  level: "low",
  score: 1,
  reasons: [{ signal: "preview", detail: "1 resource(s) updated × 1 points (kubernetes:apps/v1:Deployment)", points: 1 }],
  plan: { planLevel: "low", steps: planSteps([25, 100], 0), approvalRequired: false, why: "low risk: the low plan" },
  approvalTimeoutMinutes: 240,
};

const highRisk: ReleaseRiskAssessment = {
  level: "high",
  score: 10,
  reasons: [{ signal: "preview", detail: "replaces kubernetes:core/v1:Service urn:pulumi:staging::rollgate::kubernetes:core/v1:Service::web, a stateful or networking resource", points: 0, forcesHigh: true }],
  plan: { planLevel: "high", steps: planSteps([10, 100], 0), approvalRequired: true, why: "high risk: the high plan" },
  approvalTimeoutMinutes: 60,
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
      plan: { level: "low", why: "low risk: the low plan", approvalRequired: false, approvalTimeoutMinutes: 240, stepsFrom: "risk" },
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

describe("a high-risk release waits for a second person", () => {
  it("waits with nothing deployed; the starter cannot approve; another person's approval runs it", async () => {
    const h = riskHarness(() => Promise.resolve(highRisk));
    let approval: Promise<Release> | undefined;
    let selfApproval: Promise<Release> | undefined;
    let promotion: Promise<Release> | undefined;
    h.clock.onSleep = () => {
      selfApproval ??= h.controller.approve("rel-1", "alice");
      approval ??= selfApproval.catch(() => h.controller.approve("rel-1", "bob", "CAB-42"));
      if (h.engine.ups.length > 0 && h.notifier.events.some((event) => event.type === "release.awaitingApproval")) {
        promotion ??= h.controller.approve("rel-1", "alice").catch(() => h.controller.approve("rel-1", "carol"));
      }
    };

    const started = await h.controller.start(request(), "alice");
    expect(started).toMatchObject({ status: "awaitingApproval", approval: { expiresAt: "2026-03-01T10:00:00.000Z" } });
    await expect(selfApproval).rejects.toBeInstanceOf(SelfApprovalError);
    const approved = await approval;
    const final = await h.controller.whenSettled(started.id);

    expect(approved?.approval).toMatchObject({ decision: "approved", decidedBy: "bob" });
    expect(final).toMatchObject({ status: "succeeded", promotionApproval: { decision: "approved", decidedBy: "carol" } });
    expect(h.notifier.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["release.approved", "release.awaitingApproval", "release.promoted"]),
    );
  });

  it("holds the canary at its last weight before promotion until a second person approves; unapproved, it rolls back", async () => {
    const h = riskHarness(() => Promise.resolve(highRisk));
    const brakes: number[] = [];
    h.cluster.brake = () => {
      brakes.push(h.engine.ups.length);
      return Promise.resolve({ braked: true, detail: "HTTPRoute web-staging/web" });
    };
    let approval: Promise<Release> | undefined;
    h.clock.onSleep = () => {
      approval ??= h.controller.approve("rel-1", "bob");
    };

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({
      status: "aborted",
      reason: "promotion not approved by 2026-03-01T10:00:00.000Z; rolled back",
      promotionApproval: { expiresAt: expect.any(String) },
    });
    expect(final.promotionApproval?.decision).toBeUndefined();
    // Deployed at 0, 10 %, 100 %; then the brake, traffic back to stable, the canary removed. Stable never ran the canary.
    expect(h.engine.ups.map((up) => up.config[KEYS.canaryWeight])).toEqual(["0", "10", "100", "0", undefined]);
    expect(h.engine.ups.some((up) => up.config[KEYS.stableImage] === CANARY)).toBe(false);
    expect(brakes[0]).toBe(3);
  });

  it("rolls back at once when the promotion is rejected", async () => {
    const h = riskHarness(() => Promise.resolve(highRisk));
    let approval: Promise<Release> | undefined;
    let rejection: Promise<Release> | undefined;
    h.clock.onSleep = () => {
      approval ??= h.controller.approve("rel-1", "bob");
      if (h.notifier.events.some((event) => event.type === "release.awaitingApproval")) rejection ??= h.controller.reject("rel-1", "carol", "the sale starts tonight");
    };

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(await rejection).toMatchObject({ promotionApproval: { decision: "rejected", decidedBy: "carol" } });
    expect(final).toMatchObject({ status: "aborted", reason: "the sale starts tonight", weight: 0 });
    expect(h.engine.ups.some((up) => up.config[KEYS.stableImage] === CANARY)).toBe(false);
  });

  it("ends aborted at the expiry when nobody approves, without any stack update", async () => {
    const h = riskHarness(() => Promise.resolve(highRisk));

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", reason: "not approved by 2026-03-01T10:00:00.000Z; nothing was deployed" });
    expect(h.engine.ups).toEqual([]);
  });

  it("ends aborted at once on reject, without any stack update", async () => {
    const h = riskHarness(() => Promise.resolve(highRisk));

    const started = await h.controller.start(request(), "alice");
    const rejected = await h.controller.reject(started.id, "bob", "not during the sale");
    const final = await h.controller.whenSettled(started.id);

    expect(rejected).toMatchObject({ status: "aborted", reason: "not during the sale", approval: { decision: "rejected", decidedBy: "bob" } });
    expect(final.status).toBe("aborted");
    expect(h.engine.ups).toEqual([]);
  });
});
