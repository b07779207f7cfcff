/**
 * Traffic weights of the routers Rollgate drives. Each router kind has one
 * entry in `weightReaders`: which resource types it matches and how to read
 * the weight groups (the backends that share 100% of a route's traffic).
 * A new router is one entry here.
 */
import { list, type Props, record, stringMap } from "./values";

/** Backends sharing one route's traffic; `weights[i]` is `undefined` when not declared. */
export interface WeightGroup {
  /** Where the group is, for messages: `spec.rules[0].backendRefs`. */
  readonly path: string;
  readonly weights: readonly unknown[];
}

export interface WeightReader {
  readonly matches: (type: string) => boolean;
  /** Weight groups whose weights are integers in 0–100 that sum to 100. */
  readonly groups: (props: Props) => WeightGroup[];
  /** Single weights in 0–100 whose complement goes elsewhere (nginx canary annotations). */
  readonly shares?: (props: Props) => Array<{ readonly path: string; readonly value: unknown }>;
}

export type RouterKind = "gateway-api" | "istio" | "nginx";

export const nginxCanaryWeight = "nginx.ingress.kubernetes.io/canary-weight";

function groupsOf(
  sections: ReadonlyArray<readonly [string, unknown]>,
  entriesField: string,
  weightOf: (entry: Props) => unknown,
): WeightGroup[] {
  return sections.flatMap(([section, routes]) =>
    list(routes).map((route, index) => ({
      path: `spec.${section}[${index}].${entriesField}`,
      weights: list(record(route)[entriesField]).map((entry) => weightOf(record(entry))),
    })),
  );
}

export const weightReaders: Readonly<Record<RouterKind, WeightReader>> = {
  "gateway-api": {
    matches: (type) => /^kubernetes:gateway\.networking\.k8s\.io\/[^:]+:(HTTPRoute|GRPCRoute|TCPRoute|TLSRoute)$/.test(type),
    groups: (props) => groupsOf([["rules", record(props.spec).rules]], "backendRefs", (ref) => ref.weight),
  },
  istio: {
    matches: (type) => /^kubernetes:networking\.istio\.io\/[^:]+:VirtualService$/.test(type),
    groups: (props) => {
      const spec = record(props.spec);
      return groupsOf(
        [
          ["http", spec.http],
          ["tcp", spec.tcp],
          ["tls", spec.tls],
        ],
        "route",
        (destination) => destination.weight,
      );
    },
  },
  nginx: {
    matches: (type) => /^kubernetes:networking\.k8s\.io\/[^:]+:Ingress$/.test(type),
    groups: () => [],
    shares: (props) => {
      const value = stringMap(record(props.metadata).annotations)[nginxCanaryWeight];
      return value === undefined ? [] : [{ path: `annotation ${nginxCanaryWeight}`, value }];
    },
  },
};

export function weightReaderFor(type: string): WeightReader | undefined {
  return Object.values(weightReaders).find((reader) => reader.matches(type));
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
export function trafficWeightProblems(reader: WeightReader, props: Props): string[] {
  const groupProblems = reader.groups(props).flatMap(weightGroupProblems);
  const shareProblems = (reader.shares?.(props) ?? [])
    .filter((share) => percentage(share.value) === undefined)
    .map((share) => `${share.path} must be an integer from 0 to 100 (got ${JSON.stringify(share.value)})`);
  return [...groupProblems, ...shareProblems];
}
