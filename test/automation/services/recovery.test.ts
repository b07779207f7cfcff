import { describe, expect, it } from "vitest";
import { MemoryPreviewJournal, type PreviewRecord } from "../../../automation/services/previews/journal";
import { recoveryAction } from "../../../automation/services/previews/recovery";
import { FakeStackEngine } from "../support/fakeEngine";
import { bearer, createHarness, tokens } from "../support/harness";

const spec = { image: "ghcr.io/acme/app:1", ttlHours: 72 };
const record = (overrides: Partial<PreviewRecord> = {}): PreviewRecord => ({
  pr: 1,
  stack: "preview-pr-1",
  desired: "present",
  spec,
  createdAt: "2030-01-01T00:00:00.000Z",
  actor: "writer",
  lastOperation: { id: "op", kind: "up", status: "succeeded" },
  ...overrides,
});
const summary = (updateInProgress = false) => ({ name: "preview-pr-1", updateInProgress });

describe("recoveryAction", () => {
  it("re-drives an up that was cut short", () => {
    const action = recoveryAction({ record: record({ lastOperation: { id: "op", kind: "up", status: "running" } }), summary: summary() });

    expect(action).toMatchObject({ kind: "up", plan: { pr: 1, spec, createdAt: "2030-01-01T00:00:00.000Z" } });
  });

  it("re-drives when the engine still reports an update in progress", () => {
    expect(recoveryAction({ record: record(), summary: summary(true) }).kind).toBe("up");
  });

  it("re-drives a creation that never reached the engine", () => {
    expect(recoveryAction({ record: record({ lastOperation: { id: "op", kind: "up", status: "queued" } }) }).kind).toBe("up");
  });

  it("finishes a destroy that was requested", () => {
    expect(recoveryAction({ record: record({ desired: "absent" }), summary: summary() })).toEqual({ kind: "destroy" });
  });

  it("forgets a destroyed preview whose stack is gone", () => {
    expect(recoveryAction({ record: record({ desired: "absent" }) })).toEqual({ kind: "forget" });
  });

  it("leaves settled previews alone, failed ones included", () => {
    expect(recoveryAction({ record: record(), summary: summary() })).toEqual({ kind: "none" });
    const failed = record({ lastOperation: { id: "op", kind: "up", status: "failed" } });
    expect(recoveryAction({ record: failed, summary: summary() })).toEqual({ kind: "none" });
    expect(recoveryAction({ record: failed })).toEqual({ kind: "none" });
  });

  it("uses the stack config when the journal has no entry", () => {
    const configPlan = { pr: 1, spec, createdAt: "2030-01-01T00:00:00.000Z", actor: "ci" };
    expect(recoveryAction({ summary: summary(true), configPlan })).toEqual({ kind: "up", plan: configPlan });
    expect(recoveryAction({ summary: summary(false), configPlan })).toEqual({ kind: "none" });
  });
});

describe("crash recovery at start", () => {
  it("calls engine.recover on every preview stack, and only on preview stacks", async () => {
    const engine = new FakeStackEngine();
    engine.seedPreview(1);
    engine.seedPreview(2);
    engine.stacks.set("production", { config: {}, outputs: {}, updateInProgress: true });
    const h = createHarness({ engine });

    const report = await h.rollgate.recover();

    expect(engine.calls.filter((call) => call.method === "recover").map((call) => call.stack)).toEqual(["preview-pr-1", "preview-pr-2"]);
    expect(report.recovered).toEqual(["preview-pr-1", "preview-pr-2"]);
    expect(report.redriven).toEqual([]);
  });

  it("re-drives a preview whose update a crash interrupted, keeping its creation time", async () => {
    const engine = new FakeStackEngine();
    const journal = new MemoryPreviewJournal();
    engine.seedPreview(1, {}, { updateInProgress: true });
    await journal.put(record({ spec: { image: "ghcr.io/acme/app:2", ttlHours: 72 }, lastOperation: { id: "old", kind: "up", status: "running" } }));
    const h = createHarness({ engine, journal });

    const report = await h.rollgate.recover();
    await h.idle();

    expect(report.redriven).toEqual([{ stack: "preview-pr-1", kind: "up", operationId: expect.any(String) }]);
    expect(engine.calls.map((call) => call.method).filter((method) => method === "recover" || method === "up")).toEqual(["recover", "up"]);
    const config = engine.calls.find((call) => call.method === "up")?.config;
    expect(config?.["rollgate:image"]?.value).toBe("ghcr.io/acme/app:2");
    expect(config?.["rollgate:createdAt"]?.value).toBe("2030-01-01T00:00:00.000Z");
    const preview = await h.http.get("/api/v1/previews/1").set("Authorization", bearer(tokens.reader));
    expect(preview.body).toMatchObject({ status: "ready", image: "ghcr.io/acme/app:2", lastOperation: { actor: "rollgate-recovery" } });
  });

  it("re-drives from stack config when a crash left an update in progress and no journal entry", async () => {
    const engine = new FakeStackEngine();
    engine.seedPreview(3, { "rollgate:image": "ghcr.io/acme/app:from-config" }, { updateInProgress: true });
    const h = createHarness({ engine });

    await h.rollgate.recover();
    await h.idle();

    expect(engine.calls.find((call) => call.method === "up")?.config?.["rollgate:image"]?.value).toBe("ghcr.io/acme/app:from-config");
  });

  it("finishes a destroy that a crash interrupted", async () => {
    const engine = new FakeStackEngine();
    const journal = new MemoryPreviewJournal();
    engine.seedPreview(1, {}, { updateInProgress: true });
    await journal.put(record({ desired: "absent", lastOperation: { id: "old", kind: "destroy", status: "running" } }));
    const h = createHarness({ engine, journal });

    await h.rollgate.recover();
    await h.idle();

    expect(engine.mutations()).toEqual(["destroy preview-pr-1"]);
    expect(await journal.get("preview-pr-1")).toBeUndefined();
  });

  it("shows an interrupted preview as in progress until it is re-driven", async () => {
    const engine = new FakeStackEngine();
    const journal = new MemoryPreviewJournal();
    engine.seedPreview(1, {}, { updateInProgress: true });
    await journal.put(record({ lastOperation: { id: "old", kind: "up", status: "running" } }));
    const h = createHarness({ engine, journal });

    const before = await h.http.get("/api/v1/previews/1").set("Authorization", bearer(tokens.reader));

    expect(before.body.status).toBe("updating");
  });

  it("keeps recovering other stacks when one fails", async () => {
    const engine = new FakeStackEngine();
    engine.seedPreview(1);
    engine.seedPreview(2);
    const recover = engine.recover.bind(engine);
    engine.recover = async (stack) => (stack === "preview-pr-1" ? Promise.reject(new Error("lock file unreadable")) : recover(stack));
    const h = createHarness({ engine });

    const report = await h.rollgate.recover();

    expect(report.failed).toEqual([{ stack: "preview-pr-1", error: "lock file unreadable" }]);
    expect(report.recovered).toEqual(["preview-pr-2"]);
  });
});
