/**
 * The controller's other ports: the live cluster, notifications, the
 * coordination between replicas and the logger. Each is a narrow interface;
 * the composition root wires real implementations (Kubernetes API, webhook,
 * PostgreSQL leases and commands, pino) and tests pass fakes.
 */
import type { LeaseRef } from "../store/leases";
import type { ReleaseCommand } from "./stateMachine";

/** What a weight-only update changes besides the route. */
export interface WeightChange {
  /** Scale the canary Deployment to the new weight too: when the weight rises, so its pods are ready first. */
  readonly scaleCanary: boolean;
  /** The release runs a baseline, whose Deployment scales with the canary's. */
  readonly baseline?: boolean;
}

/** Read-only views of the environment's live objects. */
export interface ClusterProbe {
  /** The canary weight (0..100) the live router object currently carries. */
  readLiveWeight(environment: string): Promise<number>;
  /** `status.availableReplicas` of the canary Deployment; 0 when it does not exist. */
  canaryAvailableReplicas(environment: string): Promise<number>;
  /**
   * The traffic brake: patches the router's live object to send the canary
   * nothing, at once, ahead of the stack update that records it. Absent where
   * the probe cannot write; `braked: false` where the router has no brake or
   * nothing to brake.
   */
  brake?(environment: string): Promise<BrakeResult>;
}

export interface BrakeResult {
  readonly braked: boolean;
  /** The object patched, or why nothing was. */
  readonly detail: string;
}

export const RELEASE_EVENT_TYPES = [
  "release.refused",
  "release.started",
  "release.awaitingApproval",
  "release.approved",
  "release.step",
  "release.paused",
  "release.resumed",
  "release.promoted",
  "release.rolledBack",
  "release.aborted",
  "release.failed",
] as const;
export type ReleaseEventType = (typeof RELEASE_EVENT_TYPES)[number];

/** A JSON-serialisable notification. */
export interface ReleaseEvent {
  readonly type: ReleaseEventType;
  readonly releaseId: string;
  readonly environment: string;
  readonly image: string;
  readonly previousImage: string;
  readonly status: string;
  /** 1-based step number for people (`step 2 of 4`); 0 before the first step. */
  readonly step: number;
  readonly stepCount: number;
  readonly weight: number;
  readonly reason: string | null;
  readonly actor: string;
  readonly at: string;
}

export interface Notifier {
  /** Failures are logged and otherwise ignored: a notification never changes a release. Should time out on its own. */
  notify(event: ReleaseEvent): Promise<void>;
}

/** This replica's hold on a release: only the holder drives it, and its writes carry `ref`. */
export interface HeldReleaseLease {
  readonly ref: LeaseRef;
  /** Aborted when the lease is lost (a newer holder took it, or it could not be renewed in time). */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface ReleaseLeases {
  /** Takes the release's lease unless a live replica holds it. */
  tryHold(releaseId: string): Promise<HeldReleaseLease | undefined>;
  /**
   * Takes the claim to start a release in `environment` (held from the
   * active-release check to the record's creation, the risk preview between),
   * unless another replica is starting one there.
   */
  tryClaimStart(environment: string): Promise<HeldReleaseLease | undefined>;
  /** Those of `releaseIds` that no live replica holds (their driver died, or they were never taken). */
  undriven(releaseIds: readonly string[]): Promise<string[]>;
}

/** A command sent to any replica, for the replica that drives the release. */
export interface StoredCommand {
  readonly id: number;
  readonly releaseId: string;
  readonly command: ReleaseCommand;
  readonly actor: string;
  readonly reason: string | null;
  readonly requestedAt: Date;
}

export interface ReleaseCommands {
  /** Stores a command and tells every replica; resolves with its id once it is durable. */
  enqueue(releaseId: string, command: ReleaseCommand, actor: string, reason?: string): Promise<number>;
  /** The release's unhandled commands, oldest first. */
  pending(releaseId: string): Promise<StoredCommand[]>;
  /**
   * Records what became of a command: `applied`, or why it was refused. A
   * command applied but not yet settled when its driver crashes is applied
   * again by the next one, which commands tolerate (a repeated command is a
   * no-op or refused).
   */
  settle(commandId: number, outcome: string): Promise<void>;
  /** `applied`, the reason it was refused, or null while nobody has handled it. */
  outcome(commandId: number): Promise<string | null>;
  /** Calls `onArrival` with the release's id whenever a command is enqueued on any replica; returns the unsubscribe. */
  watch(onArrival: (releaseId: string) => void): () => void;
}
