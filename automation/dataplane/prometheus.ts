/**
 * The local Prometheus (Debian's package): scrapes every sample-app process
 * (found through a file_sd targets file the data plane rewrites, which
 * Prometheus watches) and the data plane's own gateway counts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../deps";
import { stopChild } from "./stopChild";
import type { Workload } from "./topology";

export interface ScrapeTarget {
  readonly workload: Workload;
  readonly port: number;
}

/** file_sd entries: one per process, labelled like a pod scraped in a cluster. */
export function fileSdTargets(targets: readonly ScrapeTarget[]): unknown[] {
  return targets.map(({ workload, port }) => ({
    targets: [`127.0.0.1:${port}`],
    labels: { namespace: workload.namespace, app: workload.app, deployment: workload.deployment, pod: `${workload.deployment}-local` },
  }));
}

export class LocalPrometheus {
  private child?: ChildProcess;
  private written = "";

  constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly dataPlanePort: number,
    private readonly logger: Logger,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, "data"), { recursive: true });
    this.setTargets([]);
    writeFileSync(
      join(this.dir, "prometheus.yml"),
      `# Written by Rollgate's local data plane.
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sample-app
    file_sd_configs:
      - files: ["${join(this.dir, "targets.json")}"]
        refresh_interval: 1s
  - job_name: gateway
    static_configs:
      - targets: ["127.0.0.1:${this.dataPlanePort}"]
`,
    );
    const child = spawn(
      "prometheus",
      [
        `--config.file=${join(this.dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        "--storage.tsdb.retention.time=6h",
      ],
      { stdio: "ignore" },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("error", (error) => reject(new Error(`cannot start prometheus (${error.message}): run \`npm run setup\``)));
      child.once("spawn", () => resolve());
    });
    child.once("exit", (code) => this.logger.warn({ code }, "prometheus exited"));
    this.child = child;
    this.logger.info({ url: this.url }, "prometheus started");
  }

  setTargets(targets: readonly ScrapeTarget[]): void {
    const text = JSON.stringify(fileSdTargets(targets), null, 2);
    if (text === this.written) return;
    const file = join(this.dir, "targets.json");
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    this.written = text;
  }

  stop(): Promise<void> {
    return stopChild(this.child, "SIGTERM");
  }
}
