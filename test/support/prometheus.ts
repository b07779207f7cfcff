import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../automation/dataplane/freePort";
import { eventually } from "./kube";

/** A real Prometheus (Debian's package) on loopback, scraping the given targets every second. */
export class LocalPrometheus {
  private process?: ChildProcess;
  private dir?: string;
  url = "";

  async start(targets: Record<string, string>): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), "rg-prometheus-"));
    const jobs = Object.entries(targets).map(
      ([name, url]) => `  - job_name: ${name}\n    static_configs:\n      - targets: ["${new URL(url).host}"]`,
    );
    writeFileSync(
      join(this.dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${jobs.join("\n")}\n`,
    );
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.process = spawn(
      "prometheus",
      [
        `--config.file=${join(this.dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=1h",
      ],
      { stdio: "ignore" },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      this.process?.once("error", (error) =>
        reject(new Error(`cannot start prometheus (${error.message}): run \`npm run setup\` to install Debian's prometheus`)),
      );
      this.process?.once("spawn", () => resolve());
    });
    await spawned;
    const ready = await eventually(async () => (await fetch(`${this.url}/-/ready`)).ok, 30_000);
    if (!ready) throw new Error(`prometheus did not become ready at ${this.url}`);
    return this.url;
  }

  /** Instant query; returns the first sample's value or undefined. */
  async query(promql: string): Promise<number | undefined> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const value = body.data?.result?.[0]?.value?.[1];
    return value === undefined ? undefined : Number(value);
  }

  async stop(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process?.once("exit", resolve));
      this.process.kill("SIGTERM");
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
