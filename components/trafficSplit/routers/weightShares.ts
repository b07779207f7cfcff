/** Weight arithmetic shared by the routers that split traffic between weighted backends. */
import { list, record } from "../../untyped";
import type { WeightGroup } from "./definition";

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

/** How the traffic brake edits one list of weighted entries (backendRefs, route destinations). */
export interface CanaryEntries<T> {
  readonly weightOf: (entry: T) => number | undefined;
  readonly isCanary: (entry: T) => boolean;
  /** The weight of an entry without one (1 in the Gateway API). */
  readonly implicit: number;
  readonly withWeight: (entry: T, weight: number) => T;
  /** The same entry aimed at the stable Service (for a list that sends only to the canary, e.g. a header route). */
  readonly toStable: (entry: T) => T;
}

/**
 * The entries with the canary's share moved onto the first other entry, so
 * the total stays what it was and the canary gets 0; a list of canary
 * entries only is aimed at stable instead.
 */
export function canaryShareToStable<T>(entries: readonly T[], how: CanaryEntries<T>): T[] {
  const others = entries.filter((entry) => !how.isCanary(entry));
  if (others.length === entries.length) return [...entries];
  if (others.length === 0) return entries.map(how.toStable);
  const weight = (entry: T) => how.weightOf(entry) ?? how.implicit;
  const canaryTotal = entries.filter(how.isCanary).reduce((sum, entry) => sum + weight(entry), 0);
  const receiver = others[0];
  return entries.map((entry) => {
    if (how.isCanary(entry)) return how.withWeight(entry, 0);
    if (entry === receiver) return how.withWeight(entry, weight(entry) + canaryTotal);
    return entry;
  });
}
