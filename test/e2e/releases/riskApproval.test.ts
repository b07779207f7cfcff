/**
 * Risk-based releases with the real service, engine, local cluster and
 * Prometheus. The environment's risk config (ROLLGATE_RISK_CONFIG_DIR) keeps
 * the plans short; a failed CI test (`riskSignals.testsFailed`) makes a
 * release high risk. A low-risk release runs the low plan; a high-risk one
 * waits for a second person before its first weight and again before
 * promotion: the starter's approval is refused (403), another token with
 * `approve:staging` approves each time and it is promoted; an unapproved one
 * expires `aborted` with traffic on stable; after a rollback the next release
 * gets a slower plan.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";
import { addToken, RollgateApi } from "../../support/rollgateService";

const quickAnalysis = { windowSeconds: 10, minRequests: 5, count: 1, intervalSeconds: 2 };
const riskConfig = {
  thresholds: { medium: 20, high: 40 },
  plans: {
    low: { weights: [50, 100], pauseSeconds: 5, approvalRequired: false },
    medium: { weights: [10, 50, 100], pauseSeconds: 5, approvalRequired: false },
    high: { weights: [10, 50, 100], pauseSeconds: 5, approvalRequired: true },
  },
  trustAfterConsecutiveSuccesses: 1,
  approvalTimeoutMinutes: 1,
};

interface RiskView {
  readonly level: string;
  readonly reasons: readonly { signal: string; detail: string; points: number; forcesHigh?: true }[];
  readonly plan: { level: string; why: string; approvalRequired: boolean; stepsFrom: string };
}

interface Approval {
  readonly expiresAt: string;
  readonly decision?: string;
  readonly decidedBy?: string;
}

const weightsOf = (steps: readonly { weight?: number }[]) => steps.map((step) => step.weight);

describe("risk-based releases through the real service", () => {
  const env = new ReleaseEnvironment("risk");
  let approver: RollgateApi;
  /** A lead who may both start and approve staging releases: still not their own (four eyes). */
  let lead: RollgateApi;

  async function view(id: string) {
    const release = await env.release(id);
    return release as typeof release & { risk: RiskView | null; approval: Approval | null; promotionApproval: Approval | null; steps: { weight?: number }[]; actor: string };
  }

  beforeAll(async () => {
    const riskDir = join(env.state.dir, "risk");
    mkdirSync(riskDir);
    writeFileSync(join(riskDir, "staging.json"), JSON.stringify(riskConfig));
    const approverToken = addToken(env.state.dir, "release-manager", ["approve:staging", "releases:read"]);
    const leadToken = addToken(env.state.dir, "lead", ["releases:staging", "approve:staging"]);
    await env.start({ ROLLGATE_RISK_CONFIG_DIR: riskDir });
    approver = new RollgateApi(() => env.service?.url ?? "", approverToken);
    lead = new RollgateApi(() => env.service?.url ?? "", leadToken);
  });

  afterAll(async () => {
    await env.stop();
  });

  it("classifies an image-only change low, from the real preview, and runs the low plan", async () => {
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });

    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.1.0", analysis: quickAnalysis });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const release = await env.settled(started.body.id);
    const record = await view(release.id);

    expect(release.status).toBe("succeeded");
    expect(record.risk).toMatchObject({ level: "low", plan: { level: "low", approvalRequired: false, stepsFrom: "risk" } });
    expect(record.risk?.reasons.map((reason) => reason.signal)).toContain("preview");
    expect(weightsOf(record.steps)).toEqual([50, 100]);
    expect(record.approval).toBeNull();
  });

  it("holds a high-risk release for a second person: the starter is refused, another token approves, and it runs", async () => {
    const started = await lead.request<{ id: string; status: string }>("POST", "/api/v1/releases", {
      environment: env.environment,
      image: "ghcr.io/rollgate/sample-app:1.2.0",
      analysis: quickAnalysis,
      riskSignals: { testsFailed: 2 },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.status).toBe("awaitingApproval");
    const id = started.body.id;

    const waiting = await view(id);
    expect(waiting.risk).toMatchObject({ level: "high", plan: { approvalRequired: true } });
    expect(waiting.risk?.reasons).toContainEqual(expect.objectContaining({ signal: "ci", points: 40 }));
    expect(await env.liveWeight()).toBe(0);
    expect(await env.canaryGone()).toBe(true);

    const self = await lead.request<{ detail: string }>("POST", `/api/v1/releases/${id}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/started by `lead`; a second person must approve it/);
    const withoutScope = await env.api.request<{ detail: string }>("POST", `/api/v1/releases/${id}/approve`, {});
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.body.detail).toMatch(/lacks the `approve:staging` scope/);
    const approved = await approver.request<{ status: string; approval: Approval }>("POST", `/api/v1/releases/${id}/approve`, { reason: "CAB-42" });
    expect(approved.status).toBe(202);
    expect(approved.body.approval).toMatchObject({ decision: "approved", decidedBy: "release-manager" });

    // Every step passed: the canary holds its last weight, and promotion waits for a second person again.
    const askedToPromote = (release: object) => "promotionApproval" in release && release.promotionApproval !== null;
    const ready = await env.waitForRelease(id, (release) => askedToPromote(release) || ["succeeded", "rolledBack", "failed", "aborted"].includes(release.status));
    expect(ready, ready.reason ?? "").toMatchObject({ status: "awaitingApproval", step: 3, weight: 100 });
    expect((await view(id)).promotionApproval).toMatchObject({ expiresAt: expect.any(String) });
    expect(await env.liveWeight()).toBe(100);
    expect(await env.deploymentImage(stableName)).not.toBe("ghcr.io/rollgate/sample-app:1.2.0");
    const selfPromotion = await lead.request<{ detail: string }>("POST", `/api/v1/releases/${id}/approve`, {});
    expect(selfPromotion.status).toBe(403);
    const promoteInstead = await lead.request<{ detail: string }>("POST", `/api/v1/releases/${id}/promote`, {});
    expect(promoteInstead.status).toBe(409);
    const promotion = await approver.request<{ promotionApproval: Approval }>("POST", `/api/v1/releases/${id}/approve`, { reason: "CAB-42 go" });
    expect(promotion.status).toBe(202);
    expect(promotion.body.promotionApproval).toMatchObject({ decision: "approved", decidedBy: "release-manager" });

    const release = await env.settled(id);
    expect(release.status).toBe("succeeded");
    expect(await env.deploymentImage(stableName)).toBe("ghcr.io/rollgate/sample-app:1.2.0");
  });

  it("aborts a high-risk release nobody approves once its approval expires, with traffic left on stable", async () => {
    const started = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.3.0", analysis: quickAnalysis, riskSignals: { testsFailed: 1 } });
    expect(started.body.status).toBe("awaitingApproval");

    const release = await env.settled(started.body.id, 150_000);

    expect(release).toMatchObject({ status: "aborted", weight: 0 });
    expect(release.reason).toMatch(/^not approved by .*; nothing was deployed$/);
    expect(await env.liveWeight()).toBe(0);
    expect(await env.deploymentImage(stableName)).toBe("ghcr.io/rollgate/sample-app:1.2.0");
  });

  it("gives the next release a slower plan after a rollback", async () => {
    env.canary.setBehaviour({ errorRate: 0.2, extraLatencyMs: 0 });
    const bad = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.4.0-errors", analysis: quickAnalysis });
    expect((await env.settled(bad.body.id)).status).toBe("rolledBack");
    env.canary.setBehaviour({ errorRate: 0, extraLatencyMs: 0 });

    const next = await env.startRelease({ image: "ghcr.io/rollgate/sample-app:1.4.1", analysis: quickAnalysis });
    const record = await view(next.body.id);

    expect(record.risk?.level).not.toBe("low");
    expect(record.risk?.reasons).toContainEqual(expect.objectContaining({ signal: "history", detail: expect.stringMatching(/rolled back/) }));
    expect(weightsOf(record.steps).length).toBeGreaterThan(2);
    if (record.status === "awaitingApproval") await approver.request("POST", `/api/v1/releases/${record.id}/reject`, {});
    else await env.api.request("POST", `/api/v1/releases/${record.id}/abort`, {});
    expect((await env.settled(record.id)).status).toBe("aborted");
  });
});
