import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { requireToolchain } from "../support/toolchain";

const clusterScript = resolve(__dirname, "../../scripts/cluster.sh");
const postgresScript = resolve(__dirname, "../../scripts/postgres.sh");

/** cluster.sh's environment here: the database is started and stopped below, on its own. */
const controlPlaneOnly = { ...process.env, ROLLGATE_LOCAL_DATABASE: "0" };

/** The local PostgreSQL is the store unless ROLLGATE_DATABASE_URL names another server (scripts/env.sh). */
function databaseIsLocal(): boolean {
  return !process.env.ROLLGATE_DATABASE_URL || process.env.ROLLGATE_LOCAL_DATABASE === "1";
}

function running(script: string, env = process.env): boolean {
  try {
    execFileSync("bash", [script, "status"], { stdio: "pipe", env });
    return true;
  } catch {
    return false;
  }
}

function run(script: string, command: "up" | "down", env = process.env): void {
  execFileSync("bash", [script, command], { stdio: "inherit", env });
}

/**
 * Starts the local PostgreSQL and the local cluster unless they (or a
 * user-provided database or KUBECONFIG cluster) are already running, and stops
 * afterwards only what this run started, the database last.
 */
export default function setup(): () => void {
  requireToolchain();
  const stops: Array<() => void> = [];
  if (databaseIsLocal() && !running(postgresScript)) {
    run(postgresScript, "up");
    stops.unshift(() => run(postgresScript, "down"));
  }
  if (process.env.ROLLGATE_EXTERNAL_CLUSTER !== "1" && !running(clusterScript, controlPlaneOnly)) {
    run(clusterScript, "up", controlPlaneOnly);
    stops.unshift(() => run(clusterScript, "down", controlPlaneOnly));
  }
  return () => {
    for (const stop of stops) stop();
  };
}
