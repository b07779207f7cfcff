/** Preview operations through the API, timed from the request until the cluster agrees. */
import type { OperationBody, RollgateApi } from "../../test/support/rollgateService";
import { uniquePr } from "../../test/support/previewStacks";
import { namespaceIsGone, previewReady } from "./cluster";
import type { BenchContext } from "./context";
import { ENVIRONMENT } from "./environment";
import { until } from "./progress";

export const PREVIEW_DEPLOYMENT = `${ENVIRONMENT.app}-preview`;

/** PR numbers of this process (`uniquePr`: pid-based, so runs never share a stack), registered for clean-up. */
export function benchPr(ctx: BenchContext, slot: number): number {
  const pr = uniquePr(slot);
  previewsOf(ctx).add(pr);
  return pr;
}

const created = new WeakMap<BenchContext, Set<number>>();
export function previewsOf(ctx: BenchContext): Set<number> {
  let set = created.get(ctx);
  if (!set) {
    set = new Set();
    created.set(ctx, set);
  }
  return set;
}

/** What the benchmark asks for a PR's preview: its image and branch. */
export function benchPreviewSpec(pr: number): { readonly image: string; readonly branch: string } {
  return { image: `ghcr.io/rollgate/sample-app:bench-${pr}`, branch: `bench/${pr}` };
}

export async function requestCreate(api: RollgateApi, pr: number): Promise<string> {
  const accepted = await api.createPreview({ pr, ...benchPreviewSpec(pr) });
  if (accepted.status !== 202) throw new Error(`POST preview ${pr} answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  return accepted.body.operation.id;
}

export async function requestDestroy(api: RollgateApi, pr: number): Promise<string> {
  const accepted = await api.deletePreview(pr);
  if (accepted.status !== 202) throw new Error(`DELETE preview ${pr} answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  return accepted.body.operation.id;
}

/** Waits for the operation; throws with its error when it failed. */
export async function succeeded(api: RollgateApi, operationId: string, timeoutMs = 900_000): Promise<OperationBody> {
  const operation = await api.finished(operationId, timeoutMs);
  if (operation.status !== "succeeded") throw new Error(`operation ${operationId} ${operation.status}: ${operation.error ?? ""}`);
  return operation;
}

/** The preview's namespace once its Deployment is Available. */
export function waitReady(ctx: BenchContext, pr: number, timeoutMs = 120_000): Promise<string> {
  return until(`preview ${pr}'s Deployment to be Available`, () => previewReady(ctx.kube, pr, PREVIEW_DEPLOYMENT), timeoutMs, 100);
}

export function waitNamespaceGone(ctx: BenchContext, namespace: string, timeoutMs = 180_000): Promise<true> {
  return until(`namespace ${namespace} to be gone`, async () => ((await namespaceIsGone(ctx.kube, namespace)) ? true : undefined), timeoutMs, 100);
}

/** Seconds an operation spent queued, in the engine (to its summary event) and after it (rollout wait, journal). */
export async function operationPhases(api: RollgateApi, operation: OperationBody): Promise<{ queued: number; engine: number; after: number } | undefined> {
  const summary = (await api.events(operation.id).catch(() => [])).find((event) => event.type === "summary");
  const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
  if (!summary) return undefined;
  return {
    queued: (at(operation.startedAt) - at(operation.queuedAt)) / 1000,
    engine: (at(summary.timestamp) - at(operation.startedAt)) / 1000,
    after: (at(operation.finishedAt) - at(summary.timestamp)) / 1000,
  };
}
