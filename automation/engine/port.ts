/**
 * The narrow port through which the service drives Pulumi stacks. Only
 * `automation/engine/` implements it with `@pulumi/pulumi/automation`; tests
 * swap in fakes.
 */

/** Configuration values to set on a stack before an operation. */
export type StackConfig = Record<string, { value: string; secret?: boolean }>;

export type OperationKind = "up" | "preview" | "destroy" | "refresh";

/** One engine event, reduced to what clients need to follow progress. */
export interface EngineEvent {
  readonly sequence: number;
  readonly timestamp: string;
  readonly type: string;
  readonly message?: string;
  readonly urn?: string;
  readonly op?: string;
}

export interface OperationOptions {
  /** Called for each engine event as it arrives. */
  readonly onEvent?: (event: EngineEvent) => void;
  /** Called with each line of engine output. */
  readonly onOutput?: (line: string) => void;
  /** Limit the update to these URNs (and their dependents), for weight-only changes. */
  readonly targets?: readonly string[];
  /** Abort the operation (the engine is asked to cancel). */
  readonly signal?: AbortSignal;
}

/** Summary of resource changes by operation: `{ create: 3, same: 2 }`. */
export type ChangeSummary = Record<string, number>;

export interface UpResult {
  readonly outputs: Record<string, unknown>;
  readonly changes: ChangeSummary;
  /** Where the update's time went, when the engine can tell. */
  readonly phases?: UpdatePhases;
}

/**
 * Milliseconds from the moment the engine held the stack to each landmark of
 * an update: its run starting (config synchronized, any policy preview done),
 * its first engine event (the CLI started and read the stack), the first
 * resource step (program and providers running), the end of the last step,
 * and the end of the whole call.
 */
export interface UpdatePhases {
  readonly runStarted?: number;
  readonly firstEvent?: number;
  readonly firstStep?: number;
  readonly lastStepDone?: number;
  readonly total: number;
  /** The longest resource steps, longest first: what the update waited on (a provider's API calls and readiness waits). */
  readonly slowestSteps?: readonly { readonly urn: string; readonly op: string; readonly ms: number }[];
}

export interface PreviewResult {
  readonly changes: ChangeSummary;
  /** URN → step op (`update`, `create`, ...) for every resource that would change. */
  readonly steps: Readonly<Record<string, string>>;
}

export interface StackSummary {
  readonly name: string;
  readonly lastUpdate?: string;
  readonly updateInProgress: boolean;
  readonly resourceCount?: number;
}

export interface StackEngine {
  /** Creates the stack if needed, sets config, runs `up`. */
  up(stack: string, config: StackConfig, options?: OperationOptions): Promise<UpResult>;
  /** What `up` with `config` would change; the stack's stored config stays as it was (a preview changes nothing). */
  preview(stack: string, config: StackConfig, options?: OperationOptions): Promise<PreviewResult>;
  /** Destroys the stack's resources and removes the stack. A missing stack is a no-op. */
  destroy(stack: string, options?: OperationOptions): Promise<void>;
  outputs(stack: string): Promise<Record<string, unknown>>;
  config(stack: string): Promise<Record<string, string>>;
  list(): Promise<StackSummary[]>;
  /**
   * Clears pending operations a crash left behind and refreshes the resources
   * the crashed run was updating or deleting, so the next update diffs against
   * what is live. Locks that a crashed local process left are released by the
   * next operation that needs the lock.
   */
  recover(stack: string): Promise<void>;
}
