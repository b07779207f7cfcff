/**
 * What each step asks of the router, as pure functions: the routing a step
 * leaves in effect (canary weight, mirror share, header route), the rules on
 * the order of steps, and the router capability mirror and header steps need.
 *
 * Each step sets the whole routing: a weight step clears mirroring and header
 * routing, a mirror step clears header routing and a header step mirroring;
 * mirror and header steps keep the weight of the last weight step before them.
 */
import type { Capability, RouterCapabilities } from "../../components/trafficSplit/capabilities";
import type { FieldIssue } from "./errors";
import { stepWeightProblems, type HeaderMatch, type PlannedStep } from "./steps";

export type StepForm = "weight" | "mirror" | "header";

/** The routing in effect during a step. */
export interface StepRouting {
  /** Live canary weight, 0..100. */
  readonly weight: number;
  readonly mirrorPercent?: number;
  readonly header?: HeaderMatch;
}

/** A problem with one step, named by the field of its form. */
export interface StepProblem {
  readonly index: number;
  readonly field: StepForm;
  readonly message: string;
}

export function stepForm(step: PlannedStep): StepForm {
  if ("weight" in step) return "weight";
  return "mirror" in step ? "mirror" : "header";
}

/** The canary weight in effect before step `index`: that of the last weight step before it, or 0. */
export function weightBefore(steps: readonly PlannedStep[], index: number): number {
  for (let previous = index - 1; previous >= 0; previous -= 1) {
    const step = steps[previous];
    if (step && "weight" in step) return step.weight;
  }
  return 0;
}

export function stepRouting(steps: readonly PlannedStep[], index: number): StepRouting {
  const step = steps[index];
  if (!step) throw new RangeError(`there is no step ${index + 1} of ${steps.length}`);
  if ("weight" in step) return { weight: step.weight };
  const weight = weightBefore(steps, index);
  return "mirror" in step ? { weight, mirrorPercent: step.mirror } : { weight, header: step.header };
}

/** For logs and reasons: `5%`, `mirror 20% (weight 0%)`, `header x-canary: internal (weight 5%)`. */
export function describeStep(steps: readonly PlannedStep[], index: number): string {
  const step = steps[index];
  if (!step) return "?";
  if ("weight" in step) return `${step.weight}%`;
  const weight = weightBefore(steps, index);
  return "mirror" in step ? `mirror ${step.mirror}% (weight ${weight}%)` : `header ${step.header.name}: ${step.header.value} (weight ${weight}%)`;
}

/**
 * The order rules:
 * - weights strictly increase from one weight step to the next;
 * - mirror steps come before the first weight step: once the canary serves
 *   live traffic, the mirrored copies of that traffic would reach it twice;
 * - header steps come before the weight reaches 100: from then on every
 *   request goes to the canary already.
 */
export function stepOrderProblems(steps: readonly PlannedStep[]): StepProblem[] {
  const weightSteps = steps.flatMap((step, index) => ("weight" in step ? [{ index, weight: step.weight }] : []));
  const firstWeightStep = weightSteps[0]?.index ?? steps.length;
  // Range and count problems are the schema's; only the order is checked across steps.
  const weightOrder = stepWeightProblems(weightSteps.map((step) => step.weight))
    .filter((problem) => problem.kind === "order")
    .map((problem): StepProblem => ({ index: weightSteps[problem.index]?.index ?? problem.index, field: "weight", message: problem.message }));
  const placement = steps.flatMap((step, index): StepProblem[] => {
    const before = weightBefore(steps, index);
    if ("mirror" in step && index > firstWeightStep) {
      return [{ index, field: "mirror", message: "must come before the first weight step: once the canary serves live traffic, mirrored copies of it would reach the canary twice" }];
    }
    if ("header" in step && before === 100) {
      return [{ index, field: "header", message: "must come before the weight reaches 100: from then on every request goes to the canary" }];
    }
    return [];
  });
  return [...weightOrder, ...placement].sort((a, b) => a.index - b.index);
}

const capabilityOf: Readonly<Record<Exclude<StepForm, "weight">, Capability>> = { mirror: "mirroring", header: "headerRouting" };

const lacking: Readonly<Record<Capability, string>> = {
  mirroring: "cannot mirror traffic",
  headerRouting: "cannot route by header",
  baseline: "cannot run a baseline beside the canary",
};

/** One issue per step the environment's router cannot do, naming the router and the step's field. */
export function stepCapabilityIssues(
  steps: readonly PlannedStep[],
  router: { readonly kind: string; readonly capabilities: RouterCapabilities },
): FieldIssue[] {
  return steps.flatMap((step, index): FieldIssue[] => {
    const form = stepForm(step);
    if (form === "weight" || router.capabilities[capabilityOf[form]]) return [];
    return [{ field: `steps[${index}].${form}`, message: `cannot be used: router ${router.kind} ${lacking[capabilityOf[form]]}` }];
  });
}

/** The issue with comparing against a baseline on a router that cannot run one; none otherwise. */
export function baselineCapabilityIssues(
  compareTo: "stable" | "baseline",
  router: { readonly kind: string; readonly capabilities: RouterCapabilities },
): FieldIssue[] {
  if (compareTo !== "baseline" || router.capabilities.baseline) return [];
  return [{ field: "analysis.compareTo", message: `cannot be "baseline": router ${router.kind} ${lacking.baseline}` }];
}

/** The stack config keys that carry a step's routing. */
export interface RoutingConfigKeys {
  readonly canaryWeight: string;
  readonly canaryMirrorPercent: string;
  readonly canaryHeaderName: string;
  readonly canaryHeaderValue: string;
}

/**
 * The stack config values that put `routing` in effect; "" clears a key (the
 * engine port has no unset). A release with only weight steps leaves the
 * mirror and header keys alone, so stacks that never used them gain no keys.
 */
export function routingConfig(routing: StepRouting, steps: readonly PlannedStep[], keys: RoutingConfigKeys): Record<string, string> {
  const weight = { [keys.canaryWeight]: String(routing.weight) };
  if (steps.every((step) => "weight" in step)) return weight;
  return {
    ...weight,
    [keys.canaryMirrorPercent]: routing.mirrorPercent === undefined ? "" : String(routing.mirrorPercent),
    [keys.canaryHeaderName]: routing.header?.name ?? "",
    [keys.canaryHeaderValue]: routing.header?.value ?? "",
  };
}
