/**
 * The controller's other ports: the live cluster, notifications and the
 * logger. Each is a narrow interface; the lead wires real implementations
 * (Kubernetes API, webhook, pino) and tests pass fakes.
 */

/** Read-only views of the environment's live objects. */
export interface ClusterProbe {
  /** The canary weight (0..100) the live router object currently carries. */
  readLiveWeight(environment: string): Promise<number>;
  /** `status.availableReplicas` of the canary Deployment; 0 when it does not exist. */
  canaryAvailableReplicas(environment: string): Promise<number>;
}

export const RELEASE_EVENT_TYPES = [
  "release.started",
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

/** The subset of pino's logger the controller uses (a pino `Logger` fits). */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
