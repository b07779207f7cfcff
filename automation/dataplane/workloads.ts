/**
 * One sample-app process per workload, standing in for the Deployment's Ready
 * pods (KWOK marks them Ready but runs nothing): started when the Deployment
 * appears or changes image, stopped when it goes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import type { Logger } from "../deps";
import { freePort } from "./freePort";
import type { Workload } from "./topology";

const SERVER = resolve(__dirname, "../../examples/sample-app/server.ts");

interface Running {
  readonly workload: Workload;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once the process answers on its port. */
  ready: boolean;
}

export class WorkloadProcesses {
  private readonly running = new Map<string, Running>();

  constructor(private readonly logger: Logger) {}

  /** Ports of the processes that answer, by workload key. */
  ports(): Map<string, number> {
    return new Map([...this.running].filter(([, run]) => run.ready).map(([key, run]) => [key, run.port]));
  }

  list(): readonly { readonly workload: Workload; readonly port: number; readonly ready: boolean }[] {
    return [...this.running.values()].map(({ workload, port, ready }) => ({ workload, port, ready }));
  }

  /** Starts, restarts (new image or track) and stops processes to match `workloads`; true when anything changed. */
  async reconcile(workloads: readonly Workload[]): Promise<boolean> {
    const wanted = new Map(workloads.map((workload) => [workload.key, workload]));
    let changed = false;
    for (const [key, run] of this.running) {
      const next = wanted.get(key);
      if (next && next.image === run.workload.image && next.track === run.workload.track && run.child.exitCode === null) continue;
      this.stop(key, run);
      changed = true;
    }
    for (const workload of wanted.values()) {
      if (this.running.has(workload.key)) continue;
      await this.start(workload);
      changed = true;
    }
    for (const run of this.running.values()) {
      if (!run.ready && (await answers(run.port))) {
        run.ready = true;
        changed = true;
      }
    }
    return changed;
  }

  async stopAll(): Promise<void> {
    const exits = [...this.running].map(([key, run]) => {
      const exited = run.child.exitCode === null ? new Promise((done) => run.child.once("exit", done)) : Promise.resolve();
      this.stop(key, run);
      return exited;
    });
    await Promise.all(exits);
  }

  private async start(workload: Workload): Promise<void> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
      env: { PATH: process.env.PATH ?? "", PORT: String(port), ROLLGATE_TRACK: workload.track, SAMPLE_APP_IMAGE: workload.image },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (chunk: Buffer) => this.logger.warn({ workload: workload.key, output: chunk.toString("utf8").slice(0, 500) }, "sample app wrote to stderr"));
    this.running.set(workload.key, { workload, port, child, ready: false });
    this.logger.info({ workload: workload.key, image: workload.image, track: workload.track, port }, "started a sample app process for the deployment");
  }

  private stop(key: string, run: Running): void {
    this.running.delete(key);
    if (run.child.exitCode === null) run.child.kill("SIGTERM");
    this.logger.info({ workload: key, port: run.port }, "stopped the deployment's sample app process");
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}
