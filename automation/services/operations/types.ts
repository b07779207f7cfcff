import type { ChangeSummary, EngineEvent } from "../../engine/port";

/** Operations the service runs on a stack. */
export type ServiceOperationKind = "up" | "destroy";

export type OperationStatus = "queued" | "running" | "succeeded" | "failed";

/** Why an operation runs: an API call, a GitHub webhook, a preview's TTL expiry, or crash recovery. */
export type OperationCause = "api" | "webhook" | "ttl-expiry" | "recovery";

/** What an operation deploys, for the audit trail. */
export interface OperationSubject {
  readonly image?: string;
  readonly commitSha?: string;
}

export interface Operation {
  readonly id: string;
  readonly kind: ServiceOperationKind;
  readonly stack: string;
  /** Who asked for it: a token name, a GitHub login or `rollgate` itself. */
  readonly actor: string;
  readonly cause: OperationCause;
  readonly subject: OperationSubject;
  /** Identifies the desired state, so an identical repeat request can be recognised. */
  readonly desiredKey: string;
  status: OperationStatus;
  readonly queuedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  changes?: ChangeSummary;
  error?: string;
  /** Failed because the service gave up on it while shutting down; recovery re-drives it. */
  interrupted?: boolean;
  readonly log: string[];
  readonly events: EngineEvent[];
}

export function isActive(operation: Operation): boolean {
  return operation.status === "queued" || operation.status === "running";
}

/** Notifications a subscriber of one operation receives. */
export type OperationUpdate =
  | { readonly type: "event"; readonly event: EngineEvent }
  | { readonly type: "log"; readonly line: string }
  | { readonly type: "status"; readonly operation: Operation };
