import { describe, expect, it } from "vitest";
import pino from "pino";
import { CONTROLLER_ACTOR, ReleaseController } from "../../../automation/release/controller";
import type { Notifier, ReleaseEvent } from "../../../automation/release/ports";
import { parseStartReleaseRequest, type Release } from "../../../automation/release/schemas";
import { InMemoryReleaseStore } from "../../support/inMemoryReleaseStore";
import { AuditLog } from "../../../automation/services/audit/auditLog";
import { combineNotifiers, FanOutNotifier } from "../../../automation/services/audit/fanOutNotifier";
import { decidingMeasurement, releaseAuditEntry, releaseCause } from "../../../automation/services/audit/releaseAudit";
import { withReleaseAudit } from "../../../automation/services/audit/releaseWiring";
import { FakeClock, FakeCluster, FakeEngine, FakeMetrics, KEYS, RecordingNotifier, scriptTraffic } from "../release/fakes";

const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };

function event(overrides: Partial<ReleaseEvent> = {}): ReleaseEvent {
  return {
    type: "release.started",
    releaseId: "rel-1",
    environment: "production",
    image: CANARY,
    previousImage: "registry.example/web:1.0.0",
    status: "progressing",
    step: 0,
    stepCount: 4,
    weight: 0,
    reason: null,
    actor: "ci-production",
    at: "2026-03-01T09:00:00.000Z",
    ...overrides,
  };
}

describe("releaseCause", () => {
  it.each([
    [{ type: "release.started" }, "api"],
    [{ type: "release.promoted", actor: "alice" }, "api"],
    [{ type: "release.aborted", actor: "alice" }, "api"],
    [{ type: "release.step", actor: "alice" }, "controller"],
    [{ type: "release.promoted", actor: CONTROLLER_ACTOR }, "controller"],
    [{ type: "release.rolledBack", actor: CONTROLLER_ACTOR }, "automatic-rollback"],
    [{ type: "release.paused", actor: CONTROLLER_ACTOR }, "analysis"],
    [{ type: "release.failed", actor: CONTROLLER_ACTOR }, "controller"],
  ] as const)("gives %j the cause %s", (overrides, cause) => {
    expect(releaseCause(event(overrides))).toBe(cause);
  });
});

describe("decidingMeasurement", () => {
  it("is the last measurement that did not pass", () => {
    const record = (metric: string, phase: "successful" | "failed" | "error") => ({
      step: 0,
      metric,
      value: 0.2,
      threshold: Number.POSITIVE_INFINITY,
      phase,
      at: "2026-03-01T09:00:00.000Z",
      detail: `${metric} ${phase}`,
    });

    expect(decidingMeasurement([record("a", "failed"), record("b", "error"), record("c", "successful")])).toEqual({
      metric: "b",
      value: 0.2,
      threshold: null,
      phase: "error",
      detail: "b error",
    });
    expect(decidingMeasurement([record("c", "successful")])).toBeNull();
  });
});

describe("releaseAuditEntry", () => {
  it("records a release start without a duration or measurement", () => {
    expect(releaseAuditEntry(event(), undefined)).toMatchObject({
      actor: "ci-production",
      action: "release.started",
      cause: { kind: "api", detail: null },
      result: "progressing",
      durationMs: null,
      subject: { environment: "production", releaseId: "rel-1", image: CANARY, weight: 0, step: 0, stepCount: 4 },
      measurement: null,
    });
  });

  it("records the supply-chain verdict a release start passed", () => {
    const digest = `sha256:${"e".repeat(64)}`;
    const release = { supplyChain: { digest, signer: "key:ci", builder: "https://github.com/actions/runner/github-hosted" } } as unknown as Release;

    expect(releaseAuditEntry(event(), release).detail).toBe(`supply chain: ${digest}, signed by key:ci, built by https://github.com/actions/runner/github-hosted`);
    expect(releaseAuditEntry(event({ type: "release.step" }), release).detail).toBeNull();
  });
});

describe("FanOutNotifier", () => {
  const failing: Notifier = { notify: async () => Promise.reject(new Error("webhook down")) };

  it("tells every notifier even when one fails, then rejects for the controller to log", async () => {
    const recording = new RecordingNotifier();

    await expect(new FanOutNotifier([failing, recording]).notify(event())).rejects.toThrow("webhook down");
    expect(recording.types()).toEqual(["release.started"]);
  });

  it("rejects with every failure when several fail", async () => {
    await expect(new FanOutNotifier([failing, failing]).notify(event())).rejects.toThrow("2 release notifiers failed");
  });

  it("combines none, one or several notifiers", () => {
    const recording = new RecordingNotifier();

    expect(combineNotifiers([])).toBeUndefined();
    expect(combineNotifiers([recording])).toBe(recording);
    expect(combineNotifiers([recording, failing])).toBeInstanceOf(FanOutNotifier);
  });
});

describe("a release controller on the audit trail", () => {
  async function runRelease(canaryErrors: number) {
    const clock = new FakeClock();
    const audit = new AuditLog({ clock, logger: pino({ level: "silent" }) });
    const engine = new FakeEngine({ production: { [KEYS.stableImage]: "registry.example/web:1.0.0" } });
    const metrics = new FakeMetrics();
    scriptTraffic(metrics, scope, { canaryErrors });
    const store = new InMemoryReleaseStore();
    const webhook = new RecordingNotifier();
    const options = withReleaseAudit({ engine, notifiers: [webhook] }, { audit, clock, releases: store });
    const controller = new ReleaseController({
      engine: options.engine,
      store,
      cluster: new FakeCluster(engine),
      metrics,
      clock,
      newId: () => "rel-1",
      settings: { deployedBy: "rollgate-release-controller" },
      ...(combineNotifiers(options.notifiers) ? { notifier: combineNotifiers(options.notifiers) } : {}),
    });
    const started = await controller.start(
      parseStartReleaseRequest({ environment: "production", image: CANARY, commitSha: "a".repeat(40), steps: [{ weight: 50, pauseSeconds: 0 }] }),
      "ci-production",
    );
    const final = await controller.whenSettled(started.id);
    await audit.flush();
    return { final, webhook, records: [...(await audit.query({ limit: 500 })).records].reverse() };
  }

  it("records an automatic rollback with the failing measurement, and still tells the webhook", async () => {
    const { final, webhook, records } = await runRelease(0.2);

    expect(final.status).toBe("rolledBack");
    expect(webhook.types()).toEqual(["release.started", "release.step", "release.rolledBack"]);
    const rollback = records.find((record) => record.action === "release.rolledBack");
    expect(rollback).toMatchObject({
      actor: CONTROLLER_ACTOR,
      cause: { kind: "automatic-rollback", detail: expect.stringMatching(/^analysis failed at step 1\/1/) },
      result: "rolledBack",
      subject: { environment: "production", releaseId: "rel-1", commitSha: "a".repeat(40), weight: 0 },
      measurement: { metric: "error-rate", value: 0.2, phase: "failed" },
    });
    expect(rollback?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("records every stack update of the release as an environment update with what it changed", async () => {
    const { records } = await runRelease(0.2);

    const updates = records.filter((record) => record.action === "environment.update");
    expect(updates.map((record) => record.cause.detail)).toEqual([
      `canary image ${CANARY}, canary weight 0%`,
      "canary weight 50%",
      "canary weight 0%",
      "canary removed",
    ]);
    expect(updates.every((record) => record.actor === "rollgate-release-controller" && record.result === "succeeded")).toBe(true);
    expect(updates[1]?.subject).toMatchObject({ environment: "production", releaseId: "rel-1", weight: 50, commitSha: "a".repeat(40) });
  });

  it("records a promotion with the whole run's duration", async () => {
    const { final, records } = await runRelease(0);

    expect(final.status).toBe("succeeded");
    expect(records.filter((record) => record.action.startsWith("release.")).map((record) => record.action)).toEqual([
      "release.started",
      "release.step",
      "release.promoted",
    ]);
    expect(records.find((record) => record.subject.image === CANARY && record.cause.detail?.startsWith("stable image"))).toBeDefined();
    expect(records.at(-1)).toMatchObject({ action: "release.promoted", cause: { kind: "controller" }, result: "succeeded" });
  });
});
