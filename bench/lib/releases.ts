/** The release API as the scenarios drive it. */
import type { RollgateApi } from "../../test/support/rollgateService";
import { GiveUp, progress, until } from "./progress";

export interface ReleaseRecord {
  readonly id: string;
  readonly status: string;
  readonly step: number;
  readonly weight: number;
  readonly reason: string | null;
  readonly intent?: { readonly action: string } | null;
  readonly analysis: readonly { readonly step: number; readonly metric: string; readonly phase: string; readonly at: string; readonly detail: string }[];
}

/** The canary image the benchmark's releases deploy (stable is `STABLE_IMAGE`). */
export const CANARY_IMAGE = "ghcr.io/rollgate/sample-app:1.1.0";
/** An analysis that measures nothing: every step passes at once (see the release README). */
export const NO_CHECKS = { errorRate: { enabled: false }, latency: { enabled: false }, minRequests: 0, queries: [] };

const TERMINAL = ["succeeded", "rolledBack", "failed", "aborted"];

export async function startRelease(api: RollgateApi, body: Record<string, unknown>): Promise<string> {
  const response = await api.request<{ id?: string }>("POST", "/api/v1/releases", body);
  if (response.status !== 202 || !response.body.id) throw new Error(`POST /api/v1/releases answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.id;
}

export async function getRelease(api: RollgateApi, id: string): Promise<ReleaseRecord> {
  const response = await api.request<ReleaseRecord>("GET", `/api/v1/releases/${id}`);
  if (response.status !== 200) throw new Error(`GET release ${id} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function command(api: RollgateApi, id: string, name: "pause" | "resume" | "abort"): Promise<ReleaseRecord> {
  const response = await api.request<ReleaseRecord>("POST", `/api/v1/releases/${id}/${name}`, { reason: "rollgate benchmark" });
  if (response.status !== 202) throw new Error(`POST release ${id}/${name} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export function waitForStatus(api: RollgateApi, id: string, statuses: readonly string[], timeoutMs: number): Promise<ReleaseRecord> {
  return until(
    `release ${id} to become ${statuses.join(" or ")}`,
    async () => {
      const release = await getRelease(api, id);
      if (statuses.includes(release.status)) return release;
      if (TERMINAL.includes(release.status)) throw new GiveUp(`release ${id} ended ${release.status}: ${release.reason ?? ""}`);
      return undefined;
    },
    timeoutMs,
    250,
  );
}

/** Aborts a release that is still active and waits for it to finish (clean-up). */
export async function abortIfActive(api: RollgateApi, id: string, timeoutMs = 180_000): Promise<void> {
  const release = await getRelease(api, id);
  if (TERMINAL.includes(release.status)) return;
  // A refused abort is retried (and its answer kept for the timeout's message) rather than waited out.
  let refusal = "";
  await until(
    `release ${id} to finish after an abort`,
    async () => {
      const release = await getRelease(api, id);
      if (TERMINAL.includes(release.status)) return true;
      if (release.intent?.action !== "abort") refusal = await command(api, id, "abort").then(() => "", (error: unknown) => String(error));
      if (refusal) progress(`abort of release ${id} refused, retrying: ${refusal}`);
      return undefined;
    },
    timeoutMs,
    1000,
  );
}

export { TERMINAL as TERMINAL_RELEASE_STATUSES };
