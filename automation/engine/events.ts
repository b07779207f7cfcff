import type { EngineEvent as PulumiEngineEvent } from "@pulumi/pulumi/automation";
import type { EngineEvent } from "./port";

/** Reduces a Pulumi engine event to the fields clients follow progress with. */
export function toEngineEvent(event: PulumiEngineEvent): EngineEvent {
  const base = { sequence: event.sequence, timestamp: new Date(event.timestamp * 1000).toISOString() };
  if (event.resourcePreEvent) {
    const { urn, op } = event.resourcePreEvent.metadata;
    return { ...base, type: "resource-pre", urn, op, message: `${op} ${urn}` };
  }
  if (event.resOutputsEvent) {
    const { urn, op } = event.resOutputsEvent.metadata;
    return { ...base, type: "resource-done", urn, op, message: `${op} ${urn} done` };
  }
  if (event.resOpFailedEvent) {
    const { urn, op } = event.resOpFailedEvent.metadata;
    return { ...base, type: "resource-failed", urn, op, message: `${op} ${urn} failed` };
  }
  if (event.diagnosticEvent) {
    const { severity, message, urn } = event.diagnosticEvent;
    return { ...base, type: `diagnostic-${severity}`, urn, message: message.trim() };
  }
  if (event.policyEvent) {
    const { policyName, message, enforcementLevel, resourceUrn } = event.policyEvent;
    return { ...base, type: `policy-${enforcementLevel}`, urn: resourceUrn, message: `${policyName}: ${message}` };
  }
  if (event.summaryEvent) {
    return { ...base, type: "summary", message: JSON.stringify(event.summaryEvent.resourceChanges) };
  }
  if (event.cancelEvent) return { ...base, type: "cancel" };
  return { ...base, type: event.preludeEvent ? "prelude" : "other" };
}
