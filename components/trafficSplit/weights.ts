/** Pure weight maths for traffic splits. Weights are integer percentages. */

/** How traffic is divided: `stable + canary + baseline === 100`, all integers; `baseline` is 0 without a baseline. */
export interface Weights {
  readonly stable: number;
  readonly canary: number;
  readonly baseline: number;
}

export const minWeight = 0;
export const maxWeight = 100;

/** `undefined` when `weight` is a valid canary weight, else a phrase starting "must". */
export function weightProblem(weight: unknown): string | undefined {
  return typeof weight === "number" && Number.isInteger(weight) && weight >= minWeight && weight <= maxWeight
    ? undefined
    : `must be an integer from ${minWeight} to ${maxWeight} (got ${JSON.stringify(weight) ?? String(weight)})`;
}

export class WeightError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "WeightError";
  }
}

/**
 * Splits traffic between stable and canary. `canaryWeight` percent goes to the
 * canary and the rest to stable; without a canary everything goes to stable,
 * whatever weight was asked for. With a baseline (stable's image at the
 * canary's size, which the canary is compared against) the baseline takes as
 * much as the canary, out of stable's share: `min(canary, 100 − canary)`.
 *
 * @throws WeightError when `canaryWeight` is not an integer from 0 to 100.
 */
export function splitWeights(canaryWeight: number, hasCanary: boolean, hasBaseline = false): Weights {
  const problem = weightProblem(canaryWeight);
  if (problem !== undefined) {
    throw new WeightError(`\`canaryWeight\` ${problem}`);
  }
  const canary = hasCanary ? canaryWeight : 0;
  const baseline = hasCanary && hasBaseline ? Math.min(canary, maxWeight - canary) : 0;
  return { stable: maxWeight - canary - baseline, canary, baseline };
}
