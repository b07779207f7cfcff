/**
 * Pure step planning, weight maths and the decision taken after a step's
 * analysis. No I/O: the controller calls these and acts on the answer.
 */
import type { MetricLimits, Phase } from "./analysis/assess";

export const DEFAULT_STEP_WEIGHTS: readonly number[] = [5, 25, 50, 100];
/** Matches the default analysis window, so a step's analysis sees only traffic at that step's weight. */
export const DEFAULT_PAUSE_SECONDS = 300;
export const MAX_STEPS = 20;
export const MAX_PAUSE_SECONDS = 24 * 3600;

/** Per-step overrides of the analysis's measurement settings (Argo's per-metric `count`, `interval`, limits). */
export interface StepAnalysisOverrides {
  readonly count?: number;
  readonly intervalSeconds?: number;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
}

export interface StepTiming {
  /** Time to hold the step's routing before analysing it. */
  readonly pauseSeconds: number;
  readonly analysis?: StepAnalysisOverrides;
}

/** Live traffic to the canary: this percentage, 1..100. */
export interface WeightStep extends StepTiming {
  readonly weight: number;
}

/** A copy of this percentage (1..100) of the traffic to the canary, its responses discarded; the live weight stays. */
export interface MirrorStep extends StepTiming {
  readonly mirror: number;
}

/** Requests with this header (exact value) go to the canary; the weight of the others stays. */
export interface HeaderStep extends StepTiming {
  readonly header: HeaderMatch;
}

export interface HeaderMatch {
  readonly name: string;
  readonly value: string;
}

/** One step: a weight, a mirror or a header step (see `stepRouting.ts` for what each leaves in effect). */
export type PlannedStep = WeightStep | MirrorStep | HeaderStep;

/** Steps at the given weights with the same pause each (defaults 5 → 25 → 50 → 100, 5 minutes). */
export function planSteps(weights: readonly number[] = DEFAULT_STEP_WEIGHTS, pauseSeconds: number = DEFAULT_PAUSE_SECONDS): WeightStep[] {
  const problems = stepWeightProblems(weights);
  if (problems.length > 0) throw new RangeError(problems.map((p) => `step ${p.index} weight ${p.message}`).join("; "));
  return weights.map((weight) => ({ weight, pauseSeconds }));
}

export interface StepWeightProblem {
  readonly index: number;
  readonly kind: "count" | "range" | "order";
  readonly message: string;
}

/** What is wrong with a list of step weights: each a whole number 1..100, strictly increasing, 1..`MAX_STEPS` of them. */
export function stepWeightProblems(weights: readonly number[]): StepWeightProblem[] {
  const problems: StepWeightProblem[] = [];
  if (weights.length === 0) problems.push({ index: 0, kind: "count", message: "must have at least one step" });
  if (weights.length > MAX_STEPS) problems.push({ index: MAX_STEPS, kind: "count", message: `must have at most ${MAX_STEPS} steps` });
  weights.forEach((weight, index) => {
    if (!isValidWeight(weight)) {
      problems.push({ index, kind: "range", message: `must be a whole number from 1 to 100, got ${weight}` });
      return;
    }
    const previous = weights[index - 1];
    if (previous !== undefined && isValidWeight(previous) && weight <= previous) {
      problems.push({ index, kind: "order", message: `must be greater than the previous step's weight (${previous}), got ${weight}` });
    }
  });
  return problems;
}

function isValidWeight(weight: number): boolean {
  return Number.isInteger(weight) && weight >= 1 && weight <= 100;
}

/** How traffic splits at a canary weight; the two always add up to 100. */
export function trafficSplit(canaryWeight: number): { canary: number; stable: number } {
  const canary = clampWeight(canaryWeight);
  return { canary, stable: 100 - canary };
}

/** A weight as a whole percentage 0..100 (rounded, clamped; NaN → 0). */
export function clampWeight(weight: number): number {
  if (Number.isNaN(weight)) return 0;
  return Math.min(100, Math.max(0, Math.round(weight)));
}

/** How a step's analysis is measured: Argo's `count`, `interval` and limits. */
export interface MeasurementPlan extends MetricLimits {
  readonly intervalSeconds: number;
}

/** The release-wide plan with the step's overrides applied. */
export function measurementPlan(defaults: MeasurementPlan, step: PlannedStep): MeasurementPlan {
  return { ...defaults, ...definedOnly(step.analysis ?? {}) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type InconclusiveAction = "extend" | "pause" | "fail";

/** What to do when a step's analysis is inconclusive (e.g. too little canary traffic). */
export interface InconclusivePolicy {
  /** `extend`: hold the weight and analyse again; `pause`: wait for a human; `fail`: roll back. */
  readonly action: InconclusiveAction;
  /** With `extend`: how many extra analyses a step may have. */
  readonly maxExtensions: number;
  /** With `extend`: what to do when the extensions are used up. */
  readonly whenExhausted: "pause" | "fail";
}

export type NextAction =
  | { readonly kind: "advance"; readonly toStep: number }
  | { readonly kind: "promote" }
  | { readonly kind: "extend"; readonly extension: number }
  | { readonly kind: "pause"; readonly why: "inconclusive" | "extensions-exhausted" }
  | { readonly kind: "rollback"; readonly why: "failed" | "error" | "inconclusive" | "extensions-exhausted" };

export interface StepOutcome {
  readonly phase: Phase;
  /** Index of the step just analysed. */
  readonly stepIndex: number;
  readonly stepCount: number;
  /** Extensions already used at this step. */
  readonly extensions: number;
  readonly inconclusive: InconclusivePolicy;
}

/** The decision after a step's analysis. */
export function nextAction(outcome: StepOutcome): NextAction {
  switch (outcome.phase) {
    case "successful":
      return outcome.stepIndex + 1 >= outcome.stepCount ? { kind: "promote" } : { kind: "advance", toStep: outcome.stepIndex + 1 };
    case "failed":
    case "error":
      return { kind: "rollback", why: outcome.phase };
    case "inconclusive":
      return onInconclusive(outcome.inconclusive, outcome.extensions);
  }
}

function onInconclusive(policy: InconclusivePolicy, extensions: number): NextAction {
  switch (policy.action) {
    case "fail":
      return { kind: "rollback", why: "inconclusive" };
    case "pause":
      return { kind: "pause", why: "inconclusive" };
    case "extend":
      if (extensions < policy.maxExtensions) return { kind: "extend", extension: extensions + 1 };
      return policy.whenExhausted === "pause"
        ? { kind: "pause", why: "extensions-exhausted" }
        : { kind: "rollback", why: "extensions-exhausted" };
  }
}
