/** Weight arithmetic shared by the routers that split traffic between weighted backends. */
import { list, record } from "../../../untyped";
import type { WeightGroup } from "../definition";

/**
 * The share in percent of the entries `isCanary` picks, of all entries;
 * entries without a weight count `implicit` (1 in the Gateway API). No
 * weight at all is 0.
 */
export function canaryShare<T>(
  entries: readonly T[],
  weightOf: (entry: T) => number | undefined,
  isCanary: (entry: T) => boolean,
  implicit: number,
): number {
  const weight = (entry: T) => weightOf(entry) ?? implicit;
  const total = entries.reduce((sum, entry) => sum + weight(entry), 0);
  const canary = entries.filter(isCanary).reduce((sum, entry) => sum + weight(entry), 0);
  return total === 0 ? 0 : Math.round((100 * canary) / total);
}

/** The weight groups under `spec.<section>[i].<entriesField>` for each section. */
export function weightGroups(
  spec: unknown,
  sections: readonly string[],
  entriesField: string,
  weightOf: (entry: Readonly<Record<string, unknown>>) => unknown,
): WeightGroup[] {
  return sections.flatMap((section) =>
    list(record(spec)[section]).map((route, index) => ({
      path: `spec.${section}[${index}].${entriesField}`,
      weights: list(record(route)[entriesField]).map((entry) => weightOf(record(entry))),
    })),
  );
}
