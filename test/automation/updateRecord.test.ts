import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { UpdateRecord } from "../../automation/engine/updateRecord";

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
});
