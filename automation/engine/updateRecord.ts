import type { EngineEvent, OutputMap, Stack } from "@pulumi/pulumi/automation";
import type { ChangeSummary, UpdatePhases } from "./port";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** Pulumi's marker key of a serialized secret, asset, archive or resource reference in engine events. */
const SERIALIZED_VALUE_KEY = "4dabf18193072939515e22adb298388d";
/** How many of the longest steps `phases` names. */
const SLOWEST_STEPS = 3;

/**
 * What an update's own engine events say about its result: the stack's outputs
 * (the root Stack resource's outputs event) and the change counts (the summary
 * event). The Automation API reads both again after the update with three CLI
 * runs (`stack output` twice, `stack history`), about a second per update.
 */
export class UpdateRecord {
  private rootOutputs: Record<string, unknown> | undefined;
  private changeCounts: ChangeSummary | undefined;
  private readonly started: number;
  private runStarted: number | undefined;
  private firstEvent: number | undefined;
  private firstStep: number | undefined;
  private lastStepDone: number | undefined;
  /** URN → when its step started and how long it took, once done. */
  private readonly steps = new Map<string, { readonly op: string; readonly started: number; ms?: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  /** Marks the update's own run starting, after the work that prepares it. */
  runStarting(): void {
    this.runStarted = this.now() - this.started;
  }

  observe(event: EngineEvent): void {
    const at = this.now() - this.started;
    this.firstEvent ??= at;
    const pre = event.resourcePreEvent?.metadata;
    if (pre && pre.type !== ROOT_STACK_TYPE) {
      this.firstStep ??= at;
      this.steps.set(pre.urn, { op: pre.op, started: at });
    }
    const done = event.resOutputsEvent?.metadata;
    if (done && done.type !== ROOT_STACK_TYPE) {
      this.lastStepDone = at;
      const step = this.steps.get(done.urn);
      if (step) step.ms = at - step.started;
    }
    if (done?.type === ROOT_STACK_TYPE && done.new) this.rootOutputs = done.new.outputs;
    if (event.summaryEvent) this.changeCounts = { ...event.summaryEvent.resourceChanges } as ChangeSummary;
  }

  /** The update's landmarks, whole milliseconds from this record's creation; `total` is now. */
  phases(): UpdatePhases {
    const since = (at: number | undefined): number | undefined => (at === undefined ? undefined : Math.round(at));
    return {
      runStarted: since(this.runStarted),
      firstEvent: since(this.firstEvent),
      firstStep: since(this.firstStep),
      lastStepDone: since(this.lastStepDone),
      total: Math.round(this.now() - this.started),
      slowestSteps: [...this.steps]
        .flatMap(([urn, step]) => (step.ms === undefined ? [] : [{ urn, op: step.op, ms: Math.round(step.ms) }]))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, SLOWEST_STEPS),
    };
  }

  /**
   * The stack's outputs, or undefined when the events cannot give them as
   * `pulumi stack output --show-secrets` would: none seen, or a value the
   * events mask (a secret) or serialize (an asset, a resource reference).
   */
  outputs(): Record<string, unknown> | undefined {
    const outputs = this.rootOutputs;
    if (outputs === undefined || Object.values(outputs).some(isMaskedOrSerialized)) return undefined;
    return outputs;
  }

  changes(): ChangeSummary | undefined {
    return this.changeCounts;
  }
}

/**
 * `stack` for one operation whose result the caller does not read from the
 * Automation API: its `outputs` and `info`, which `up`, `destroy` and
 * `refresh` call after the CLI's run, answer without a CLI run (empty and
 * undefined). After an `up` the caller reads an UpdateRecord, and the real
 * stack when the record has no answer.
 */
export function withoutResultReads(stack: Stack): Stack {
  const view = Object.create(stack) as Stack;
  const noOutputs: OutputMap = {};
  view.outputs = () => Promise.resolve(noOutputs);
  view.info = () => Promise.resolve(undefined);
  return view;
}

function isMaskedOrSerialized(value: unknown): boolean {
  if (value === "[secret]") return true;
  if (Array.isArray(value)) return value.some(isMaskedOrSerialized);
  if (value === null || typeof value !== "object") return false;
  return SERIALIZED_VALUE_KEY in value || Object.values(value).some(isMaskedOrSerialized);
}

/** One line for an operation's log: where an update's time went. */
export function describeUpdatePhases(phases: UpdatePhases): string {
  const seconds = (ms: number | undefined): string => (ms === undefined ? "?" : `${(ms / 1000).toFixed(1)} s`);
  const steps = (phases.slowestSteps ?? []).map((step) => `${step.op} ${shortUrn(step.urn)} ${seconds(step.ms)}`);
  return (
    `update took ${seconds(phases.total)}: its run started at ${seconds(phases.runStarted)}, first engine event ${seconds(phases.firstEvent)}, ` +
    `first resource step ${seconds(phases.firstStep)}, last step done ${seconds(phases.lastStepDone)}` +
    (steps.length > 0 ? `; longest steps: ${steps.join(", ")}` : "")
  );
}

/** `Deployment preview-web` from `urn:pulumi:stack::project::…$kubernetes:apps/v1:Deployment::preview-web`. */
function shortUrn(urn: string): string {
  const [type = "", name = urn] = urn.split("::").slice(-2);
  return `${type.split("$").pop()?.split(":").pop() ?? type} ${name}`;
}
