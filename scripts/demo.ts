/**
 * `npm run demo` (after scripts/demo.sh has brought the cluster, data plane
 * and service up): deploys staging when it is missing, then two canary
 * releases of the sample app on staging, through the real service, gateway
 * and Prometheus —
 *
 * 1. a healthy image, 5 → 25 → 50 → 100 %, which must be promoted;
 * 2. an image answering 20 % errors (`-errors`), which must be rolled back.
 *
 * Each step is printed as it happens, with the share of requests the gateway
 * itself sent to the canary. Exits 0 only when both outcomes are right, every
 * measured split is within 5 points of its weight, and the live route carries
 * 0 % after the rollback.
 *
 * Environment: ROLLGATE_URL (http://127.0.0.1:7070), ROLLGATE_TOKEN_FILE,
 * ROLLGATE_READ_TOKEN_FILE, ROLLGATE_PROMETHEUS_URL (set by demo.sh).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { RollgateClient } from "../automation/cli/client";
import { ReleaseSchema, StartedReleaseSchema } from "../automation/schemas/releases";
import { ensureStaging } from "./demoEnvironment";

const ENVIRONMENT = "staging";
const NAMESPACE = "sample-app-staging";
const REPOSITORY = "ghcr.io/rollgate/sample-app";
const SPLIT_TOLERANCE_POINTS = 5;

type Release = z.output<typeof ReleaseSchema>;

const serviceUrl = process.env.ROLLGATE_URL ?? "http://127.0.0.1:7070";
const prometheusUrl = process.env.ROLLGATE_PROMETHEUS_URL ?? "http://127.0.0.1:19090";
const stateDir = process.env.ROLLGATE_STATE_DIR ?? ".rollgate";
const token = readFileSync(process.env.ROLLGATE_TOKEN_FILE ?? `${stateDir}/token`, "utf8").trim();
const readToken = readFileSync(process.env.ROLLGATE_READ_TOKEN_FILE ?? `${stateDir}/read-token`, "utf8").trim();
const client = new RollgateClient({ baseUrl: serviceUrl, token });

function say(message: string): void {
  console.log(`[demo ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** The share (0..100) of the last 10 s of gateway requests to staging that went to the canary. */
async function gatewayCanaryShare(): Promise<number | undefined> {
  const scope = `namespace="${NAMESPACE}"`;
  const promql = `100 * sum(increase(gateway_requests_total{${scope},track="canary"}[10s])) / sum(increase(gateway_requests_total{${scope}}[10s]))`;
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
  const value = Number(body.data?.result?.[0]?.value?.[1]);
  return Number.isFinite(value) ? value : undefined;
}

interface Outcome {
  readonly release: Release;
  /** Per step held: the weight, and the canary share the gateway measured. */
  readonly splits: readonly { readonly weight: number; readonly share: number | undefined }[];
}

/**
 * The gateway's split while a weight is held: 18 s after the record took the
 * weight (the update takes a few seconds, then the step pauses 20 s), the
 * share of the last 10 s of requests it sent to the canary — recorded only if
 * the weight did not change meanwhile.
 */
async function measureSplit(label: string, weight: number, currentWeight: () => number, splits: { weight: number; share: number | undefined }[]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 18_000));
  if (currentWeight() !== weight) return;
  const share = await gatewayCanaryShare();
  if (currentWeight() !== weight || share === undefined) return;
  splits.push({ weight, share });
  say(`${label}:   the gateway sent ${share.toFixed(1)} % of the last 10 s of requests to the canary (weight ${weight} %)`);
}

async function runRelease(label: string, image: string, steps: readonly number[]): Promise<Outcome> {
  const started = await client.request("POST", "/api/v1/releases", StartedReleaseSchema, {
    environment: ENVIRONMENT,
    image,
    steps: steps.map((weight) => ({ weight, pauseSeconds: 20 })),
    analysis: { windowSeconds: 20, minRequests: 20, selector: { namespace: NAMESPACE } },
  });
  say(`${label}: release ${started.id} of ${image} started (steps ${steps.join(" → ")} %)`);
  const splits: { weight: number; share: number | undefined }[] = [];
  const measurements: Promise<void>[] = [];
  let seenAnalysis = 0;
  let lastWeight = -1;
  for (;;) {
    const release = await client.request("GET", `/api/v1/releases/${started.id}`, ReleaseSchema);
    if (release.weight !== lastWeight) {
      say(`${label}: weight ${release.weight} % (step ${Math.min(release.step + 1, steps.length)}/${steps.length}, ${release.status})`);
      lastWeight = release.weight;
      if (release.weight > 0 && release.status === "progressing") measurements.push(measureSplit(label, release.weight, () => lastWeight, splits));
    }
    for (const record of release.analysis.slice(seenAnalysis)) {
      say(`${label}:   ${record.metric} = ${record.value ?? "no data"} (threshold ${record.threshold ?? "-"}) → ${record.phase}`);
    }
    seenAnalysis = release.analysis.length;
    if (["succeeded", "rolledBack", "failed", "aborted"].includes(release.status)) {
      await Promise.all(measurements);
      say(`${label}: ${release.status}${release.reason ? `: ${release.reason}` : ""}`);
      return { release, splits };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

interface GatewayRoute {
  readonly key: string;
  readonly backends: readonly { readonly workload: string; readonly weight: number }[];
}

/** Staging's route as the gateway runs it (the data plane's `/status`), once its stable process is ready. */
async function stagingRoute(): Promise<GatewayRoute | undefined> {
  const status = (await (await fetch(`http://127.0.0.1:${process.env.ROLLGATE_DATAPLANE_PORT ?? "18081"}/status`)).json()) as {
    routes: GatewayRoute[];
    workloads: { namespace: string; ready: boolean }[];
  };
  if (!status.workloads.some((workload) => workload.namespace === NAMESPACE && workload.ready)) return undefined;
  return status.routes.find((candidate) => candidate.key.startsWith(`${NAMESPACE}/`));
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
    if (await probe().catch(() => false)) return true;
  }
  return false;
}

async function liveCanaryWeight(): Promise<number> {
  const route = await stagingRoute();
  const total = route?.backends.reduce((sum, backend) => sum + backend.weight, 0) ?? 0;
  const canary = route?.backends.filter((backend) => backend.workload.endsWith("-canary")).reduce((sum, backend) => sum + backend.weight, 0) ?? 0;
  return total === 0 ? 0 : (100 * canary) / total;
}

async function main(): Promise<number> {
  const databaseUrl = process.env.ROLLGATE_DATABASE_URL;
  if (!databaseUrl) throw new Error("ROLLGATE_DATABASE_URL is not set: run the demo with `npm run demo`");
  await ensureStaging({ databaseUrl, stateDir, workloadsRunning: async () => (await stagingRoute()) !== undefined, say });
  const ready = await waitFor(async () => (await stagingRoute())?.backends.some((backend) => backend.weight > 0) ?? false, 60_000);
  if (!ready) throw new Error("the gateway has no ready route to staging after 60 s");

  // A version of its own per run, so a second run releases something new.
  const version = `1.${Math.floor(Date.now() / 60_000) % 100_000}.0`;
  const problems: string[] = [];

  const healthy = await runRelease("healthy", `${REPOSITORY}:${version}`, [5, 25, 50, 100]);
  if (healthy.release.status !== "succeeded") problems.push(`the healthy release ended ${healthy.release.status}, not succeeded`);
  for (const { weight, share } of healthy.splits) {
    if (share !== undefined && Math.abs(share - weight) > SPLIT_TOLERANCE_POINTS) {
      problems.push(`at ${weight} % the gateway sent ${share.toFixed(1)} % to the canary (more than ${SPLIT_TOLERANCE_POINTS} points off)`);
    }
  }
  if (healthy.splits.length === 0) problems.push("no step of the healthy release had a measured gateway split");

  const bad = await runRelease("bad", `${REPOSITORY}:${version}-errors`, [5, 25, 50, 100]);
  if (bad.release.status !== "rolledBack") problems.push(`the bad release ended ${bad.release.status}, not rolledBack`);
  const failed = bad.release.analysis.find((record) => record.phase === "failed");
  if (failed) say(`bad: rolled back on ${failed.metric} = ${failed.value} (threshold ${failed.threshold}): ${failed.detail}`);
  else problems.push("the bad release has no failed measurement naming the metric");
  const live = await liveCanaryWeight();
  if (live !== 0) problems.push(`after the rollback the live route still sends ${live} % to the canary`);

  say(`dashboard: ${serviceUrl}/ — paste the read-only token ${readToken} (also in ${stateDir}/read-token)`);
  if (problems.length > 0) {
    for (const problem of problems) say(`FAILED: ${problem}`);
    return 1;
  }
  say("both outcomes are right: the healthy canary was promoted, the bad one rolled back");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
