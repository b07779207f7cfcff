/**
 * The Argo Rollouts controller for the side-by-side scenario: built (and
 * cached) by scripts/toolchain/argo-rollouts.sh, its CRDs applied to the
 * cluster, and the process run in namespaced mode against one namespace.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../automation/dataplane/freePort";
import { repoRoot } from "./environment";
import { until } from "./progress";

const run = promisify(execFile);
/** Lines of the controller's log kept for an error message. */
const LOG_LINES = 40;

/** Builds the controller unless cached; resolves to its cache directory (binary `rollouts-controller`, CRDs in `crds/`). */
export async function buildArgoRollouts(): Promise<string> {
  const { stdout } = await run("bash", [join(repoRoot, "scripts/toolchain/argo-rollouts.sh")], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, GOMAXPROCS: process.env.GOMAXPROCS ?? "1" },
  });
  const dir = stdout.trim().split("\n").at(-1);
  if (!dir) throw new Error("scripts/toolchain/argo-rollouts.sh printed no cache directory");
  return dir;
}

/** Applies the module's CRDs (server-side: the Rollout CRD is too large for the last-applied annotation) and waits until they are served. */
export async function applyArgoCrds(dir: string): Promise<void> {
  await run("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", join(dir, "crds")]);
  // `kubectl wait` fails at once while a new CRD has no status yet, so it is retried.
  await until(
    "the Rollout CRD to be Established",
    async () => (await run("kubectl", ["wait", "--for=condition=Established", "--timeout=10s", "crd/rollouts.argoproj.io"]), true),
    60_000,
  );
}

/** One controller process watching one namespace; `stop` kills it by its pid. */
export class ArgoController {
  private readonly log: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.log.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      this.log.splice(0, Math.max(0, this.log.length - LOG_LINES));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  static async start(dir: string, namespace: string): Promise<ArgoController> {
    const kubeconfig = process.env.KUBECONFIG;
    if (!kubeconfig) throw new Error("KUBECONFIG is unset");
    const [metrics, healthz] = [await freePort(), await freePort()];
    const child = spawn(
      join(dir, "rollouts-controller"),
      [
        `--kubeconfig=${kubeconfig}`,
        "--namespaced",
        `--namespace=${namespace}`,
        "--leader-elect=false",
        `--metricsPort=${metrics}`,
        `--healthzPort=${healthz}`,
        "--loglevel=info",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("error", (error) => reject(new Error(`cannot start the Argo Rollouts controller: ${error.message}`)));
      child.once("spawn", () => resolve());
    });
    const controller = new ArgoController(child);
    await until(
      "the Argo Rollouts controller's healthz",
      async () => {
        if (child.exitCode !== null) throw new Error(`the controller exited ${child.exitCode}:\n${controller.describe()}`);
        return (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok ? true : undefined;
      },
      60_000,
    );
    return controller;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines of the controller's log. */
  describe(): string {
    return this.log.join("\n");
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    process.kill(this.child.pid, "SIGTERM");
    const killed = setTimeout(() => this.child.pid !== undefined && process.kill(this.child.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(killed);
  }
}
