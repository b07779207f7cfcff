import type { ChangeSummary, EngineEvent } from "../../engine/port";

/** Operations the service runs on a stack. */
export type ServiceOperationKind = "up" | "destroy";

export const OPERATION_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** Why an operation runs: an API call, a GitHub webhook, a preview's TTL expiry, or crash recovery. */
export type OperationCause = "api" | "webhook" | "ttl-expiry" | "recovery";

/** What an operation deploys, for the audit trail. */
export interface OperationSubject {
  readonly image?: string;
  readonly commitSha?: string;
}

/** An operation as the queue records it (its log and engine events are entries beside it). */
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
  readonly status: OperationStatus;
  readonly queuedAt: Date;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly changes?: ChangeSummary;
  readonly error?: string;
  /** Runs started: more than one when another replica took it over after its first runner died. */
  readonly attempts: number;
}

/** A new operation and what any replica needs to run it. */
export interface NewOperation extends Pick<Operation, "id" | "kind" | "stack" | "actor" | "cause" | "subject" | "desiredKey" | "queuedAt"> {
  readonly payload: unknown;
}

export function isActive(operation: Pick<Operation, "status">): boolean {
  return operation.status === "queued" || operation.status === "running";
}

/** A line of an operation's log or one of its engine events, in the order recorded. */
export type OperationEntry =
  | { readonly id: number; readonly kind: "event"; readonly event: EngineEvent }
  | { readonly id: number; readonly kind: "log"; readonly line: string };

/** An entry before it is stored. */
export type NewEntry = { readonly kind: "event"; readonly event: EngineEvent } | { readonly kind: "log"; readonly line: string };
