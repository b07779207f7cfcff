/** Fixed previews and release histories for the risk tests. */
import type { ReleaseStatus } from "../../../../automation/release/schemas";
import type { HistoryRelease, PreviewSignal } from "../../../../automation/release/risk/signals";

export const NOW = new Date("2026-12-02T10:00:00Z"); // a Wednesday

export function urn(type: string, name: string): string {
  return `urn:pulumi:production::rollgate::rollgate:components:WebService$${type}::${name}`;
}

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** A preview from URN → op steps, with `changes` counted as the engine counts them. */
export function preview(steps: Record<string, string>): PreviewSignal {
  const changes: Record<string, number> = {};
  for (const op of Object.values(steps)) changes[op] = (changes[op] ?? 0) + 1;
  return { changes, steps };
}

export const IMAGE_ONLY_PREVIEW = preview({ [urn(DEPLOYMENT, "web-canary")]: "update" });

/** A release that finished `hoursAgo` before `NOW` with the given status. */
export function finished(status: ReleaseStatus, hoursAgo: number): HistoryRelease {
  const at = new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
  return { status, startedAt: at, finishedAt: at };
}

/** `count` successes, one a day, the newest `firstHoursAgo` before `NOW`. */
export function successes(count: number, firstHoursAgo = 48): HistoryRelease[] {
  return Array.from({ length: count }, (_, index) => finished("succeeded", firstHoursAgo + index * 24));
}
