import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { describeUpdatePhases, UpdateRecord } from "../../../automation/engine/updateRecord";

function preEvent(type: string): EngineEvent {
  const urn = `urn:pulumi:dev::p::${type}::x`;
  return { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: { op: "update", urn, type, provider: "" } } } as EngineEvent;
}

function outputsEvent(type: string, outputs: Record<string, unknown>): EngineEvent {
  const state = { type, urn: `urn:pulumi:dev::p::${type}::x`, id: "", parent: "", inputs: {}, outputs, provider: "" };
  return { sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { op: "same", urn: state.urn, type, new: state, provider: "" } } } as EngineEvent;
}

const summary = { sequence: 9, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { same: 2, update: 1 }, policyPacks: {} } } as EngineEvent;

describe("UpdateRecord", () => {
  it("takes the outputs of the root Stack resource and the summary's change counts", () => {
    const record = new UpdateRecord();
    record.observe(outputsEvent("kubernetes:apps/v1:Deployment", { spec: {} }));
    record.observe(outputsEvent("pulumi:pulumi:Stack", { url: "http://x", replicas: 2, labels: { a: "b" } }));
    record.observe(summary);

    expect(record.outputs()).toEqual({ url: "http://x", replicas: 2, labels: { a: "b" } });
    expect(record.changes()).toEqual({ same: 2, update: 1 });
  });

  it("has no answer before the events came", () => {
    const record = new UpdateRecord();
    expect(record.outputs()).toBeUndefined();
    expect(record.changes()).toBeUndefined();
  });

  it.each([
    ["a masked secret", { token: "[secret]" }],
    ["a secret inside an object", { db: { password: "[secret]" } }],
    ["a serialized secret", { token: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" } }],
    ["a serialized value inside a list", { files: [{ "4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17", text: "x" }] }],
  ])("leaves the outputs to the CLI when one holds %s", (_name, outputs) => {
    const record = new UpdateRecord();
    record.observe(outputsEvent("pulumi:pulumi:Stack", outputs));
    expect(record.outputs()).toBeUndefined();
  });

  it("times the update's landmarks from its creation: run start, first event, first and last resource step", () => {
    let now = 1000;
    const record = new UpdateRecord(() => now);
    now = 1040;
    record.runStarting();
    now = 1300;
    record.observe({ sequence: 0, timestamp: 0, preludeEvent: { config: {} } } as EngineEvent);
    now = 1350;
    record.observe(preEvent("pulumi:pulumi:Stack"));
    now = 1500;
    record.observe(preEvent("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"));
    now = 1650.4;
    record.observe(outputsEvent("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", {}));
    now = 1700;
    record.observe(outputsEvent("pulumi:pulumi:Stack", {}));
    now = 1720;

    expect(record.phases()).toEqual({
      runStarted: 40,
      firstEvent: 300,
      firstStep: 500,
      lastStepDone: 650,
      total: 720,
      slowestSteps: [{ urn: "urn:pulumi:dev::p::kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::x", op: "update", ms: 150 }],
    });
  });

  it("describes the phases in one log line, naming the longest steps by kind and name", () => {
    const line = describeUpdatePhases({
      runStarted: 4100,
      firstEvent: 4600,
      firstStep: 5300,
      lastStepDone: 11_960,
      total: 12_240,
      slowestSteps: [{ urn: "urn:pulumi:pr-1::rollgate::rollgate:preview:PreviewEnvironment$kubernetes:apps/v1:Deployment::app-web-deployment", op: "create", ms: 5230 }],
    });

    expect(line).toBe(
      "update took 12.2 s: its run started at 4.1 s, first engine event 4.6 s, first resource step 5.3 s, last step done 12.0 s; longest steps: create Deployment app-web-deployment 5.2 s",
    );
  });
});
