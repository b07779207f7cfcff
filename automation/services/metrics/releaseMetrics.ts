/**
 * Release gauges on `/metrics`: each active release's step and weight, the
 * canary weight per environment (labelled with its app and namespace, as the
 * Monitoring dashboard queries it), the latest analysis measurements, counts
 * of analysis results and releases, and the DORA figures per environment.
 * Everything is read from the release records when scraped.
 */
import type { Clock } from "../../deps";
import type { Release } from "../../release/schemas";
import { isActive } from "../../release/stateMachine";
import { BANDS, type Band } from "../dora/bands";
import { deliveryRecord } from "../dora/deliveries";
import { computeDora, type DoraReport } from "../dora/dora";
import { windowMs } from "../dora/window";
import { Gauge, type MetricsRegistry } from "./exposition";

type Sample = { labels: Readonly<Record<string, string>>; value: number };

export interface ReleaseMetricsSources {
  /** Every release record. */
  readonly releases: () => Promise<readonly Release[]>;
  /** App and namespace of an environment (its stack config); unresolved ones get empty labels. */
  readonly targetFor?: (environment: string) => Promise<{ readonly app: string; readonly namespace: string }>;
  readonly clock: Clock;
  /** DORA window of the exported figures; default `30d`. */
  readonly doraWindow?: string;
  /** How long one read of the records serves the gauges of a scrape; default 5 s. */
  readonly cacheMs?: number;
}

/** 4 for elite … 1 for low. */
export function bandScore(band: Band): number {
  return BANDS.length - BANDS.indexOf(band);
}

export function registerReleaseMetrics(registry: MetricsRegistry, sources: ReleaseMetricsSources): void {
  const releases = memoize(sources.releases, sources.cacheMs ?? 5000);
  const active = async () => (await releases()).filter((release) => isActive(release.status));
  const window = sources.doraWindow ?? "30d";
  const dora = async (): Promise<DoraReport[]> => {
    const all = await releases();
    const records = all.map(deliveryRecord);
    const now = sources.clock.now();
    return environmentsOf(all).map((environment) => computeDora(records, environment, windowMs(window) ?? 30 * 86_400_000, now));
  };
  const gauge = (name: string, help: string, collect: () => Promise<Sample[]>) =>
    registry.register(new Gauge(name, help, () => collect().catch(() => [])));

  gauge("rollgate_release_step", "Current step (1-based) of each active release.", async () =>
    (await active()).map((release) => ({
      labels: { environment: release.environment, release_id: release.id },
      value: Math.min(release.step + 1, release.steps.length),
    })),
  );
  gauge("rollgate_release_weight", "Canary weight (percent) each active release last set.", async () =>
    (await active()).map((release) => ({ labels: { environment: release.environment, release_id: release.id }, value: release.weight })),
  );
  gauge("rollgate_canary_weight", "Canary weight (percent) per environment, from its latest release.", async () =>
    Promise.all(
      latestPerEnvironment(await releases()).map(async (release) => {
        const target = await sources.targetFor?.(release.environment).catch(() => undefined);
        return {
          labels: { environment: release.environment, app: target?.app ?? "", namespace: target?.namespace ?? "" },
          value: release.weight,
        };
      }),
    ),
  );
  gauge("rollgate_releases", "Releases by environment and status.", async () =>
    countBy(await releases(), (release) => [{ environment: release.environment, status: release.status }]),
  );
  gauge("rollgate_release_analysis_measurements", "Analysis measurements recorded, by environment, metric and result.", async () =>
    countBy(await releases(), (release) =>
      release.analysis.map((record) => ({ environment: release.environment, metric: record.metric, phase: record.phase })),
    ),
  );
  const latestMeasurements = async (field: "value" | "threshold"): Promise<Sample[]> =>
    (await active()).flatMap((release) =>
      [...new Map(release.analysis.map((record) => [record.metric, record])).values()].flatMap((record) => {
        const value = record[field];
        return value === null ? [] : [{ labels: { environment: release.environment, release_id: release.id, metric: record.metric }, value }];
      }),
    );
  gauge("rollgate_release_analysis_value", "Latest measured value of each analysis metric of active releases.", () => latestMeasurements("value"));
  gauge("rollgate_release_analysis_threshold", "Bound the latest measurement of each analysis metric was held to.", () =>
    latestMeasurements("threshold"),
  );

  const figures = [
    ["rollgate_dora_deployments_per_day", "DORA deployment frequency: successful releases per day", "deploymentFrequency"],
    ["rollgate_dora_lead_time_seconds", "DORA lead time for changes: median seconds from commit to production", "leadTimeForChanges"],
    ["rollgate_dora_change_failure_ratio", "DORA change failure rate: rolled back or failed / finished releases", "changeFailureRate"],
    ["rollgate_dora_time_to_restore_seconds", "DORA time to restore: median seconds from a failed to the next successful release", "timeToRestore"],
  ] as const;
  for (const [name, help, key] of figures) {
    gauge(name, `${help} (window ${window}).`, async () =>
      (await dora()).flatMap((report) => {
        const value = report[key].value;
        return value === null ? [] : [{ labels: { environment: report.environment, window }, value }];
      }),
    );
  }
  gauge("rollgate_dora_band", `DORA performance band per figure: 4 elite, 3 high, 2 medium, 1 low (window ${window}).`, async () =>
    (await dora()).flatMap((report) =>
      figures.flatMap(([, , key]) => {
        const band = report[key].band;
        return band === null ? [] : [{ labels: { environment: report.environment, figure: key, window }, value: bandScore(band) }];
      }),
    ),
  );
}

function environmentsOf(releases: readonly Release[]): string[] {
  return [...new Set(releases.map((release) => release.environment))].sort();
}

function latestPerEnvironment(releases: readonly Release[]): Release[] {
  const latest = new Map<string, Release>();
  for (const release of releases) {
    const current = latest.get(release.environment);
    if (!current || release.startedAt >= current.startedAt) latest.set(release.environment, release);
  }
  return [...latest.values()];
}

function countBy(releases: readonly Release[], keys: (release: Release) => Record<string, string>[]): Sample[] {
  const counts = new Map<string, Sample>();
  for (const labels of releases.flatMap(keys)) {
    const key = JSON.stringify(labels);
    const sample = counts.get(key) ?? { labels, value: 0 };
    sample.value += 1;
    counts.set(key, sample);
  }
  return [...counts.values()];
}

/** One call of `load` serves every caller for `ttlMs`; a failure is not kept. */
function memoize<T>(load: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (cached && now - cached.at < ttlMs) return cached.value;
    const value = load();
    const entry = { at: now, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
