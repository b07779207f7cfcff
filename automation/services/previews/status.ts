/** Pure decisions about a preview's status. */
import type { OperationStatus, ServiceOperationKind } from "../operations/types";

export type PreviewStatus = "creating" | "ready" | "updating" | "failed" | "destroying";

export const previewStatuses: readonly PreviewStatus[] = ["creating", "ready", "updating", "failed", "destroying"];

export interface StatusInputs {
  /** The engine lists the stack. */
  readonly stackExists: boolean;
  /** The stack has outputs, i.e. an `up` completed at some point. */
  readonly deployed: boolean;
  /** The journal says the preview should exist. */
  readonly desiredPresent: boolean;
  /** The latest operation for the stack (in memory or from the journal). */
  readonly lastOperation?: { readonly kind: ServiceOperationKind; readonly status: OperationStatus };
}

/**
 * The status of a preview, or `undefined` when there is none. An operation
 * that is queued or running (or was, when the service stopped, and is about to
 * be re-driven) decides; otherwise its result does.
 */
export function previewStatus({ stackExists, deployed, desiredPresent, lastOperation }: StatusInputs): PreviewStatus | undefined {
  const inFlight = lastOperation?.status === "queued" || lastOperation?.status === "running";
  if (inFlight && lastOperation.kind === "destroy") return "destroying";
  if (inFlight) return stackExists && deployed ? "updating" : "creating";
  if (!stackExists) {
    // A creation that failed before the engine made the stack stays visible until deleted.
    return desiredPresent && lastOperation?.status === "failed" ? "failed" : undefined;
  }
  if (lastOperation?.status === "failed") return "failed";
  if (lastOperation?.kind === "up") return "ready";
  // Nothing recorded (or a destroy that left the stack behind): judge by outputs.
  return deployed ? "ready" : "failed";
}

/** True when a preview's `expiresAt` has passed. Unparseable dates never expire. */
export function isExpired(expiresAt: string | undefined, now: Date): boolean {
  if (!expiresAt) return false;
  const time = Date.parse(expiresAt);
  return Number.isFinite(time) && time <= now.getTime();
}
