import pino from "pino";
import { describe, expect, it } from "vitest";
import { LiveWeightReadError } from "../../../components/trafficSplit/routers/definition";
import { ReleaseController } from "../../../automation/release/controller";
import { IllegalTransitionError, ReleaseConflictError, ReleaseNotFoundError, ReleaseValidationError } from "../../../automation/release/errors";
import type { Logger } from "../../../automation/deps";
import { parseStartReleaseRequest, type Release, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { RESTART_ROLLBACK_REASON, createRelease } from "../../../automation/release/stateMachine";
import { InMemoryReleaseStore } from "../../support/inMemoryReleaseStore";
import { FakeClock, FakeEngine, KEYS, fakeQueries, harness, scriptTraffic } from "./fakes";

const STABLE = "registry.example/web:1.0.0";
const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };

function request(input: Partial<StartReleaseRequestInput> = {}) {
  return parseStartReleaseRequest({ environment: "staging", image: CANARY, ...input });
}

function configs(h: { engine: FakeEngine }) {
  return h.engine.ups.map((call) => call.config);
}

function raisedWeights(h: { engine: FakeEngine }): number[] {
  return h.engine.ups.flatMap((call) => (call.config[KEYS.canaryWeight] === undefined ? [] : [Number(call.config[KEYS.canaryWeight])])).filter((w) => w > 0);
}

describe("a healthy canary", () => {
  it("is promoted, with stack config set in order: canary without traffic, each weight, stable, weight 0, canary removed", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(configs(h)).toEqual([
      { [KEYS.canaryImage]: CANARY, [KEYS.canaryVerifiedDigest]: "", [KEYS.canaryWeight]: "0" },
      { [KEYS.canaryWeight]: "5" },
      { [KEYS.canaryWeight]: "25" },
      { [KEYS.canaryWeight]: "50" },
      { [KEYS.canaryWeight]: "100" },
      { [KEYS.stableImage]: CANARY, [KEYS.stableVerifiedDigest]: "" },
      { [KEYS.canaryWeight]: "0" },
      { [KEYS.canaryImage]: "" },
    ]);
    expect(h.engine.configOf("staging")).toEqual({
      [KEYS.stableImage]: CANARY,
      [KEYS.stableVerifiedDigest]: "",
      [KEYS.canaryImage]: "",
      [KEYS.canaryVerifiedDigest]: "",
      [KEYS.canaryWeight]: "0",
    });
  });

  it("records the finished release with weight 0, a finish time and every step's measurements", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request(), "alice");
    await h.controller.whenSettled(started.id);
    const stored = await h.store.get(started.id);

    expect(stored).toMatchObject({ status: "succeeded", weight: 0, step: 4, previousImage: STABLE, image: CANARY, actor: "alice", intent: null });
    expect(stored?.finishedAt).not.toBeNull();
    expect(new Set(stored?.analysis.map((record) => record.step))).toEqual(new Set([0, 1, 2, 3]));
    expect(stored?.analysis.filter((record) => record.metric === "error-rate").every((record) => record.phase === "successful")).toBe(true);
  });

  it("notifies start, each step and the promotion", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request(), "alice");
    await h.controller.whenSettled(started.id);

    expect(h.notifier.types()).toEqual(["release.started", "release.step", "release.step", "release.step", "release.step", "release.promoted"]);
    expect(h.notifier.events.filter((e) => e.type === "release.step").map((e) => [e.step, e.weight])).toEqual([
      [1, 5],
      [2, 25],
      [3, 50],
      [4, 100],
    ]);
  });

  it("holds each step for its pause on the injected clock", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 10, pauseSeconds: 42 }, { weight: 100, pauseSeconds: 7 }] }), "alice");
    await h.controller.whenSettled(started.id);

    expect(h.clock.sleeps).toEqual([42_000, 7_000]);
  });

  it("logs each measurement and each decision with the numbers behind it", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");
    await h.controller.whenSettled(started.id);

    const measurement = h.logger.entries.find((e) => e.message === "measurement" && e.fields.metric === "error-rate");
    expect(measurement?.fields).toMatchObject({ releaseId: started.id, value: 0.001, threshold: 0.002, phase: "successful" });
    const decision = h.logger.entries.find((e) => e.message === "step analysed");
    expect(decision?.fields).toMatchObject({ phase: "successful", metrics: { "error-rate": "successful", latency: "successful" }, action: { kind: "promote" } });
    const raise = h.logger.entries.find((e) => e.message === "setting canary weight");
    expect(raise?.fields).toMatchObject({ from: 0, to: 100, availableReplicas: 2 });
  });

  it("limits weight-only updates to the router's resources when targets are given", async () => {
    const h = harness({ routerTargets: () => ["urn:pulumi:staging::rollgate::router"] });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 50, pauseSeconds: 0 }] }), "alice");
    await h.controller.whenSettled(started.id);

    expect(h.engine.ups.map((call) => call.targets !== undefined)).toEqual([false, true, false, true, false]);
  });

  it("scales the canary with each rising step, and takes traffic back to stable before any canary pod goes", async () => {
    const changes: boolean[] = [];
    const h = harness({ routerTargets: (_environment, change) => (changes.push(change.scaleCanary), ["urn:pulumi:staging::rollgate::router"]) });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 50, pauseSeconds: 0 }] }), "alice");
    await h.controller.whenSettled(started.id);

    expect(changes).toEqual([true, false]);
  });

  it("is not held up by a notifier that fails", async () => {
    const h = harness({ notifier: { notify: async () => Promise.reject(new Error("webhook down")) } });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");

    expect((await h.controller.whenSettled(started.id)).status).toBe("succeeded");
    expect(h.logger.entries.filter((e) => e.message === "notification failed").map((e) => e.fields.error)).toContain("webhook down");
  });

  it("accepts a pino logger", async () => {
    const logger: Logger = pino({ level: "silent" });
    const h = harness({ logger });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");

    expect((await h.controller.whenSettled(started.id)).status).toBe("succeeded");
  });
});

describe("a failing canary", () => {
  it("with 20% 5xx is rolled back: weight 0 before the canary is removed, stable untouched", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.2 });

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(configs(h)).toEqual([
      { [KEYS.canaryImage]: CANARY, [KEYS.canaryVerifiedDigest]: "", [KEYS.canaryWeight]: "0" },
      { [KEYS.canaryWeight]: "5" },
      { [KEYS.canaryWeight]: "0" },
      { [KEYS.canaryImage]: "" },
    ]);
    expect(h.engine.ups.some((call) => KEYS.stableImage in call.config)).toBe(false);
    expect(h.engine.configOf("staging")[KEYS.stableImage]).toBe(STABLE);
  });

  it("gives the failing measurement as the reason", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.2 });

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.reason).toMatch(/^analysis failed at step 1\/4 \(5%\): error-rate failed: canary 5xx ratio 20% > 0\.2%/);
    expect(final.analysis.find((record) => record.phase === "failed")).toMatchObject({ metric: "error-rate", value: 0.2, threshold: 0.002 });
    expect(h.notifier.types().at(-1)).toBe("release.rolledBack");
  });

  it("with 5xx under 1% but over twice stable's is rolled back", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.008, stableErrors: 0.001 });

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toContain("error-rate");
  });

  it("with a latency regression is rolled back", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryP99: 1.2, stableP99: 0.2 });

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toMatch(/latency failed: canary p99 1\.2s > 0\.6s/);
    expect(h.engine.configOf("staging")[KEYS.stableImage]).toBe(STABLE);
  });

  it("over the absolute latency bound is rolled back even when stable is as slow", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryP99: 2.5, stableP99: 2.4 });

    const started = await h.controller.start(request({ analysis: { latency: { maxSeconds: 1 } } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.analysis.find((r) => r.metric === "latency")).toMatchObject({ phase: "failed", threshold: 1 });
  });

  it("failing a custom query is rolled back", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.metrics.set("sum(rate(checkout_failures_total[$window]))", { value: 0.3 });

    const started = await h.controller.start(
      request({ analysis: { queries: [{ name: "checkout-failures", query: "sum(rate(checkout_failures_total[$window]))", successCondition: "result < 0.05" }] } }),
      "alice",
    );
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toContain("checkout-failures failed: result 0.3 is failed (success: result < 0.05)");
  });

  it("tolerates failed measurements up to the failure limit", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.metrics.set(fakeQueries.errorRatio("canary", scope), (call) => ({ value: call === 1 ? 0.5 : 0.001 }));

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }], analysis: { count: 3, failureLimit: 1 } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(final.analysis.filter((r) => r.metric === "error-rate").map((r) => r.phase)).toEqual(["failed", "successful", "successful"]);
  });

  it("whose metrics cannot be read is rolled back once errors exceed the consecutive error limit", async () => {
    const h = harness();
    // Nothing scripted: every query comes back as an error measurement.

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toMatch(/^analysis errored at step 1\/4/);
    expect(final.analysis.filter((r) => r.metric === "error-rate")).toHaveLength(5);
  });
});

describe("a canary without traffic", () => {
  const noTraffic = { requests: 0, canaryErrors: null, canaryP99: Number.NaN };

  it("is rolled back when the inconclusive policy is fail", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, noTraffic);

    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "fail" } } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toMatch(/^analysis inconclusive at step 1\/4 \(5%\)/);
    expect(raisedWeights(h)).toEqual([5]);
  });

  it("pauses for a human when the policy is pause, without raising the weight", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, noTraffic);

    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "paused", step: 0, weight: 5 });
    expect(final.reason).toMatch(/inconclusive at step 1\/4 \(5%\); waiting for a human/);
    expect(raisedWeights(h)).toEqual([5]);
    expect(h.notifier.types().at(-1)).toBe("release.paused");
  });

  it("continues after a human resumes once traffic arrives", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, noTraffic);
    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    await h.controller.whenSettled(started.id);

    scriptTraffic(h.metrics, scope);
    await h.controller.resume(started.id, "bob");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(h.notifier.types()).toContain("release.resumed");
  });

  it("extends the step up to the limit, then applies the exhausted policy", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, noTraffic);

    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "extend", maxExtensions: 2, whenExhausted: "fail" } } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(h.metrics.queries.filter((q) => q === fakeQueries.requestCount("canary", scope))).toHaveLength(3);
    expect(final.reason).toMatch(/still inconclusive at step 1\/4 \(5%\) after 2 extension\(s\)/);
  });

  it("does not judge a high error ratio on too few requests", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { requests: 3, canaryErrors: 0.33 });

    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("paused");
    expect(final.analysis.find((r) => r.metric === "error-rate")).toMatchObject({ phase: "inconclusive", value: 0.33 });
  });
});

describe("commands", () => {
  it("abort during a pause rolls back at once without analysing", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.clock.onSleep = (ms) => {
      if (ms === 123_000) void h.controller.abort("rel-1", "bob");
    };

    const started = await h.controller.start(request({ steps: [{ weight: 5, pauseSeconds: 123 }, { weight: 100, pauseSeconds: 60 }] }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", reason: "aborted by bob", weight: 0 });
    expect(final.analysis).toEqual([]);
    expect(configs(h).slice(-2)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
    expect(raisedWeights(h)).toEqual([5]);
    expect(h.engine.configOf("staging")[KEYS.stableImage]).toBe(STABLE);
    expect(h.notifier.events.at(-1)).toMatchObject({ type: "release.aborted", actor: "bob" });
  });

  it("abort of a driven release brakes at once, without waiting for the loop, and the rollback brakes again", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    const brakes: number[] = [];
    h.cluster.brake = async () => {
      brakes.push(h.engine.ups.length);
      return { braked: true, detail: "HTTPRoute web-staging/web" };
    };
    h.clock.onSleep = (ms) => {
      if (ms === 123_000) void h.controller.abort("rel-1", "bob");
    };

    const started = await h.controller.start(request({ steps: [{ weight: 5, pauseSeconds: 123 }, { weight: 100, pauseSeconds: 60 }] }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", weight: 0 });
    expect(h.logger.messages().filter((message) => message.endsWith("brake: the live router sends the canary nothing"))).toEqual([
      "abort: brake: the live router sends the canary nothing",
      "rollback: brake: the live router sends the canary nothing",
    ]);
    // Both before the update that records weight 0.
    expect(new Set(brakes)).toEqual(new Set([h.engine.ups.length - 2]));
  });

  it("promote skips the remaining steps", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.clock.onSleep = (ms) => {
      if (ms === 123_000) void h.controller.promote("rel-1", "bob");
    };

    const started = await h.controller.start(request({ steps: [{ weight: 5, pauseSeconds: 123 }, { weight: 50, pauseSeconds: 60 }, { weight: 100, pauseSeconds: 60 }] }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "succeeded", reason: "promoted by bob" });
    expect(raisedWeights(h)).toEqual([5]);
    expect(configs(h).slice(-3)).toEqual([{ [KEYS.stableImage]: CANARY, [KEYS.stableVerifiedDigest]: "" }, { [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
  });

  it("pause holds before the next weight raise, and resume continues", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.clock.onSleep = (ms) => {
      if (ms === 123_000) void h.controller.pause("rel-1", "bob");
    };

    const started = await h.controller.start(request({ steps: [{ weight: 5, pauseSeconds: 123 }, { weight: 100, pauseSeconds: 60 }] }), "alice");
    const held = await h.controller.whenSettled(started.id);

    expect(held).toMatchObject({ status: "paused", step: 1, weight: 5, reason: "paused by bob" });
    expect(raisedWeights(h)).toEqual([5]);

    h.clock.onSleep = undefined;
    await h.controller.resume(started.id, "bob");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(raisedWeights(h)).toEqual([5, 100]);
  });

  it("pause while the canary is coming up holds before the first weight raise", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    let reads = 0;
    h.cluster.availableReplicas = () => (++reads < 3 ? 0 : 1);
    h.clock.onSleep = (ms) => {
      if (ms === 5_000 && reads === 1) void h.controller.pause("rel-1", "bob");
    };

    const started = await h.controller.start(request(), "alice");
    const held = await h.controller.whenSettled(started.id);

    expect(held).toMatchObject({ status: "paused", step: 0, weight: 0 });
    expect(raisedWeights(h)).toEqual([]);
  });

  it("brakes the live router before the stack update that records weight 0, on abort", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { requests: 0 });
    const braked: { environment: string; upsBefore: number }[] = [];
    h.cluster.brake = async (environment) => {
      braked.push({ environment, upsBefore: h.engine.ups.length });
      return { braked: true, detail: "HTTPRoute web-staging/web" };
    };
    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    await h.controller.whenSettled(started.id);
    const upsWhenPaused = h.engine.ups.length;

    await h.controller.abort(started.id, "bob", "wrong build");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", weight: 0 });
    expect(braked).toEqual([{ environment: "staging", upsBefore: upsWhenPaused }]);
    expect(configs(h).slice(-2)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
    expect(h.logger.messages()).toContain("rollback: brake: the live router sends the canary nothing");
  });

  it("still rolls back through the stack update when the brake fails", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { requests: 0 });
    h.cluster.brake = async () => {
      throw new Error("PATCH answered 409: the object has been modified");
    };
    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    await h.controller.whenSettled(started.id);

    await h.controller.abort(started.id, "bob", "wrong build");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", weight: 0 });
    expect(configs(h).slice(-2)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
    expect(h.logger.entries.find((entry) => entry.message === "rollback: the brake failed; the stack update sends traffic to stable")).toMatchObject({
      level: "warn",
      fields: { error: expect.stringContaining("409") },
    });
  });

  it("abort of a paused release rolls it back", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { requests: 0 });
    const started = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    await h.controller.whenSettled(started.id);

    await h.controller.abort(started.id, "bob", "wrong build");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "aborted", reason: "wrong build" });
    expect(configs(h).slice(-2)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
  });

  it("are refused on a finished release", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");
    await h.controller.whenSettled(started.id);

    await expect(h.controller.abort(started.id, "bob")).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it("name a missing release", async () => {
    const h = harness();

    await expect(h.controller.pause("nope", "bob")).rejects.toBeInstanceOf(ReleaseNotFoundError);
  });
});

describe("safety", () => {
  it("never raises the weight while the canary has no available replicas, and rolls back at the deadline", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.cluster.availableReplicas = () => 0;

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toMatch(/progress deadline \(600s\) exceeded at step 1\/4 \(5%\): the canary has no available replicas/);
    expect(raisedWeights(h)).toEqual([]);
    expect(configs(h)).toEqual([{ [KEYS.canaryImage]: CANARY, [KEYS.canaryVerifiedDigest]: "", [KEYS.canaryWeight]: "0" }, { [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
  });

  it("rolls back at once, without waiting for the deadline, when the router says its live weight cannot be read", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.cluster.liveWeight = (environment) => {
      const weight = Number(h.engine.configOf(environment)[KEYS.canaryWeight] ?? "0");
      if (weight > 0) throw new LiveWeightReadError("listener arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/1/2 does not exist", false);
      return weight;
    };

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toMatch(/the live router weight cannot be read at step 1\/4 \(5%\) \(error: .*listener .* does not exist\)/);
    expect(h.clock.sleeps.reduce((total, ms) => total + ms, 0)).toBeLessThan(600_000);
  });

  it("keeps waiting through a retryable live-weight error (throttling) until the router answers", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    let throttled = 2;
    h.cluster.liveWeight = (environment) => {
      if (throttled-- > 0) throw new LiveWeightReadError("ELBv2 DescribeRules failed (Throttling, 400): Rate exceeded", true);
      return Number(h.engine.configOf(environment)[KEYS.canaryWeight] ?? "0");
    };

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
  });

  it("raises the weight once a replica becomes available within the deadline", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    let reads = 0;
    h.cluster.availableReplicas = () => (++reads < 4 ? 0 : 1);

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(h.clock.sleeps.slice(0, 3)).toEqual([5_000, 5_000, 5_000]);
  });

  it("rolls back when the live router never carries the weight within the deadline", async () => {
    const h = harness({ settings: { progressDeadlineSeconds: 60 } });
    scriptTraffic(h.metrics, scope);
    h.cluster.liveWeight = () => 0;

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toContain("the live router carries 0%, expected 5%");
    expect(h.clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(60_000);
  });

  it("rolls back when a stack update fails mid-release", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    h.engine.failUp = (call) => (call.config[KEYS.canaryWeight] === "25" ? new Error("update conflict") : undefined);

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final).toMatchObject({ status: "rolledBack", reason: "step 2 failed: update conflict" });
    expect(configs(h).slice(-2)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
  });

  it("marks the release failed when the rollback itself fails", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.5 });
    h.engine.failUp = (call) => (call.config[KEYS.canaryWeight] === "0" && h.engine.ups.length > 1 ? new Error("engine down") : undefined);

    const started = await h.controller.start(request(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("failed");
    expect(final.reason).toBe("rollback failed; the canary may still receive traffic: engine down");
    expect(h.notifier.types().at(-1)).toBe("release.failed");
  });

  it("refuses a second release in the same environment", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { requests: 0 });
    const first = await h.controller.start(request({ analysis: { inconclusive: { action: "pause" } } }), "alice");
    await h.controller.whenSettled(first.id);

    await expect(h.controller.start(request({ image: "registry.example/web:1.2.0" }), "bob")).rejects.toBeInstanceOf(ReleaseConflictError);
  });

  it("refuses concurrent starts in the same environment", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const results = await Promise.allSettled([h.controller.start(request(), "alice"), h.controller.start(request(), "bob")]);

    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: expect.any(ReleaseConflictError) });
  });

  it("refuses an active release left in the store by an earlier process", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(createRelease(request(), { id: "old", actor: "alice", previousImage: STABLE, at: new Date("2026-03-01T08:00:00Z") }));
    const h = harness({ store });

    await expect(h.controller.start(request(), "bob")).rejects.toMatchObject({ activeReleaseId: "old" });
  });

  it("refuses to release the image that is already stable", async () => {
    const h = harness();

    await expect(h.controller.start(request({ image: STABLE }), "alice")).rejects.toBeInstanceOf(ReleaseValidationError);
  });

  it("refuses an environment without a stable image", async () => {
    const h = harness({ engine: new FakeEngine({ staging: {} }) });

    await expect(h.controller.start(request(), "alice")).rejects.toThrow(/`environment` has no stable image/);
  });

  it("rejects invalid controller settings, naming the setting", () => {
    expect(() => harness({ settings: { progressDeadlineSeconds: 0 } })).toThrow(/`settings.progressDeadlineSeconds` must be at least 1/);
  });
});

describe("persistence and restarts", () => {
  function releaseAtStep2(overrides: Partial<Release> = {}): Release {
    const base = createRelease(request(), { id: "rel-crashed", actor: "alice", previousImage: STABLE, at: new Date("2026-03-01T08:00:00Z") });
    return { ...base, step: 1, weight: 25, ...overrides };
  }

  function engineAt25() {
    return new FakeEngine({ staging: { [KEYS.stableImage]: STABLE, [KEYS.canaryImage]: CANARY, [KEYS.canaryWeight]: "25" } });
  }

  it("creates the record, then saves it after every transition", async () => {
    const store = new InMemoryReleaseStore();
    const saved: Release[] = [];
    const [create, save] = [store.create.bind(store), store.save.bind(store)];
    store.create = async (release) => {
      saved.push(release);
      await create(release);
    };
    store.save = async (release) => {
      saved.push(release);
      await save(release);
    };
    const h = harness({ store });
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.2 });

    const started = await h.controller.start(request(), "alice");
    await h.controller.whenSettled(started.id);

    expect(saved.map((r) => [r.status, r.weight, r.intent?.action ?? null])).toEqual([
      ["progressing", 0, null],
      ["progressing", 5, null],
      ["progressing", 5, null],
      ["progressing", 5, "rollback"],
      ["progressing", 0, "rollback"],
      ["rolledBack", 0, null],
    ]);
  });

  it("re-runs the current step after a restart, then carries on", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2());
    const h = harness({ store, engine: engineAt25() });
    scriptTraffic(h.metrics, scope);

    const recovered = await h.controller.recover();
    const final = await h.controller.whenSettled("rel-crashed");

    expect(recovered.map((r) => r.id)).toEqual(["rel-crashed"]);
    expect(h.engine.recovered).toEqual(["staging"]);
    expect(final.status).toBe("succeeded");
    expect(raisedWeights(h)).toEqual([50, 100]);
    expect(final.analysis[0]?.step).toBe(1);
  });

  it("re-applies after a restart a weight the record says but the router does not carry yet", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2());
    const engine = new FakeEngine({ staging: { [KEYS.stableImage]: STABLE, [KEYS.canaryImage]: CANARY, [KEYS.canaryWeight]: "5" } });
    const h = harness({ store, engine });
    scriptTraffic(h.metrics, scope);

    await h.controller.recover();
    const final = await h.controller.whenSettled("rel-crashed");

    expect(final.status).toBe("succeeded");
    expect(raisedWeights(h).slice(0, 2)).toEqual([25, 50]);
  });

  it("rolls back after a restart when configured to", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2());
    const h = harness({ store, engine: engineAt25(), settings: { onRestart: "rollback" } });

    await h.controller.recover();
    const final = await h.controller.whenSettled("rel-crashed");

    expect(final).toMatchObject({ status: "rolledBack", reason: RESTART_ROLLBACK_REASON });
    expect(configs(h)).toEqual([{ [KEYS.canaryWeight]: "0" }, { [KEYS.canaryImage]: "" }]);
  });

  it("finishes an abort that was under way when the process died", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2({ intent: { action: "abort", actor: "bob", reason: "aborted by bob", at: "2026-03-01T08:30:00.000Z" } }));
    const h = harness({ store, engine: engineAt25() });

    await h.controller.recover();
    const final = await h.controller.whenSettled("rel-crashed");

    expect(final).toMatchObject({ status: "aborted", reason: "aborted by bob" });
  });

  it("does not resume a release whose stack cannot be recovered", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2());
    const engine = engineAt25();
    engine.recover = async () => Promise.reject(new Error("stack locked"));
    const h = harness({ store, engine });

    const recovered = await h.controller.recover();

    expect(recovered).toEqual([]);
    expect(h.engine.ups).toEqual([]);
    expect((await h.controller.get("rel-crashed")).status).toBe("progressing");
  });

  it("leaves a paused release paused", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2({ status: "paused", reason: "paused by bob" }));
    const h = harness({ store, engine: engineAt25() });

    await h.controller.recover();
    const final = await h.controller.whenSettled("rel-crashed");

    expect(final.status).toBe("paused");
    expect(h.engine.ups).toEqual([]);
  });

  it("stops at shutdown mid-pause and resumes that step in the next process, from the shared store", async () => {
    const store = new InMemoryReleaseStore();
    const engine = new FakeEngine();
    const clock = new FakeClock();
    const first = harness({ store, engine, clock });
    scriptTraffic(first.metrics, scope);
    let closing: Promise<void> | undefined;
    clock.onSleep = (ms) => {
      if (ms === 77_000 && !closing) closing = first.controller.close();
    };
    const started = await first.controller.start(request({ steps: [{ weight: 20, pauseSeconds: 60 }, { weight: 100, pauseSeconds: 77 }] }), "alice");
    await first.controller.whenSettled(started.id);
    await closing;

    const left = await store.get(started.id);
    expect(left).toMatchObject({ status: "progressing", step: 1, weight: 100 });

    clock.onSleep = undefined;
    const second = harness({ store, engine, clock });
    scriptTraffic(second.metrics, scope);
    await second.controller.recover();
    const final = await second.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect((await store.get(started.id))?.status).toBe("succeeded");
  });

  it("serves records of releases it did not run from the store", async () => {
    const store = new InMemoryReleaseStore();
    await store.save(releaseAtStep2({ status: "paused" }));
    const controller = new ReleaseController({ engine: new FakeEngine(), store, metrics: harness().metrics, cluster: harness().cluster });

    expect((await controller.get("rel-crashed")).status).toBe("paused");
    expect((await controller.list({ environment: "staging" })).map((r) => r.id)).toEqual(["rel-crashed"]);
  });
});

describe("queries", () => {
  it("use the configured selector and window", async () => {
    const h = harness();
    const custom = { selector: { app: "web", namespace: "shop" }, windowSeconds: 120 };
    scriptTraffic(h.metrics, custom);

    const started = await h.controller.start(request({ steps: [{ weight: 100, pauseSeconds: 0 }], analysis: { selector: custom.selector, windowSeconds: 120 } }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(new Set(h.metrics.queries)).toEqual(
      new Set([
        fakeQueries.requestCount("canary", custom),
        fakeQueries.errorRatio("canary", custom),
        fakeQueries.errorRatio("stable", custom),
        fakeQueries.latencyQuantile("canary", 0.99, custom),
        fakeQueries.latencyQuantile("stable", 0.99, custom),
      ]),
    );
  });
});
