/** `count` increasing canary weights, evenly spaced, the last at most 100 (a release's steps). Pure. */
export function weightSequence(count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > 20) throw new RangeError(`count must be 1..20, got ${count}`);
  const step = Math.floor(100 / count);
  return Array.from({ length: count }, (_, index) => step * (index + 1));
}
