/**
 * Checks on the traffic weights routers declare. Where a router keeps its
 * weights (which resource types, which fields) is its definition's
 * `declaredWeights`; this module only judges the numbers.
 */
import type { DeclaredWeightReader, WeightGroup } from "../../components/trafficSplit/routers/definition";
import { routerDefinitions } from "../../components/trafficSplit/routers/registry";
import type { Props } from "./values";

const declaredWeightReaders = Object.values(routerDefinitions).flatMap((definition) =>
  definition.declaredWeights === "unsupported" ? [] : [definition.declaredWeights],
);

/** The reader of the router whose weights a resource of `type` carries, if any. */
export function weightReaderFor(type: string): DeclaredWeightReader | undefined {
  return declaredWeightReaders.find((reader) => reader.matches(type));
}

/** A weight as an integer percentage, or `undefined` when it is not one. */
export function percentage(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) && number >= 0 && number <= 100 ? number : undefined;
}

/**
 * Problems with one group: each weight an integer in 0–100 and together 100.
 * A group with one backend and no weight sends it everything, which is fine.
 */
export function weightGroupProblems(group: WeightGroup): string[] {
  if (group.weights.length === 0 || (group.weights.length === 1 && group.weights[0] === undefined)) {
    return [];
  }
  const problems: string[] = [];
  const numbers: number[] = [];
  group.weights.forEach((weight, index) => {
    if (weight === undefined) {
      problems.push(`${group.path}[${index}] must declare a weight when a route splits traffic`);
    } else if (typeof weight === "number" && percentage(weight) !== undefined) {
      numbers.push(weight);
    } else {
      problems.push(`${group.path}[${index}].weight must be an integer from 0 to 100 (got ${JSON.stringify(weight)})`);
    }
  });
  if (problems.length > 0) {
    return problems;
  }
  const total = numbers.reduce((sum, weight) => sum + weight, 0);
  return total === 100 ? [] : [`${group.path} weights must sum to 100 (got ${total})`];
}

/** All weight problems of a resource that `reader` understands. */
export function trafficWeightProblems(reader: DeclaredWeightReader, props: Props): string[] {
  const groupProblems = reader.groups(props).flatMap(weightGroupProblems);
  const shareProblems = (reader.shares?.(props) ?? [])
    .filter((share) => percentage(share.value) === undefined)
    .map((share) => `${share.path} must be an integer from 0 to 100 (got ${JSON.stringify(share.value)})`);
  return [...groupProblems, ...shareProblems];
}
