import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { requireToolchain } from "../support/toolchain";

const clusterScript = resolve(__dirname, "../../scripts/cluster.sh");

function clusterRunning(): boolean {
  try {
    execFileSync("bash", [clusterScript, "status"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the local cluster unless it (or a user-provided KUBECONFIG cluster)
 * is already running, and stops it afterwards only if this run started it.
 */
export default function setup(): () => void {
  requireToolchain();
  if (process.env.ROLLGATE_EXTERNAL_CLUSTER === "1" || clusterRunning()) {
    return () => undefined;
  }
  execFileSync("bash", [clusterScript, "up"], { stdio: "inherit" });
  return () => {
    execFileSync("bash", [clusterScript, "down"], { stdio: "inherit" });
  };
}
