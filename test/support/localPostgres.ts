/**
 * The local PostgreSQL that `npm test` runs (scripts/postgres.sh), stopped
 * the hard way and started again, for tests of what a database outage does.
 * A server Rollgate does not manage (ROLLGATE_DATABASE_URL set by the user)
 * cannot be stopped from here: those tests say so and fail.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./rollgateService";

function requireLocal(): string {
  const stateDir = process.env.ROLLGATE_STATE_DIR;
  if (process.env.ROLLGATE_LOCAL_DATABASE !== "1" || !stateDir) {
    throw new Error("this test stops and starts the local PostgreSQL (scripts/postgres.sh); it cannot run against a database given in ROLLGATE_DATABASE_URL");
  }
  return stateDir;
}

function postmasterPid(stateDir: string): number | undefined {
  try {
    return Number(readFileSync(join(stateDir, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

/** An immediate shutdown (`pg_ctl stop -m immediate`: SIGQUIT to the postmaster), as a crash of the database host would be. */
export async function killLocalPostgres(): Promise<void> {
  const pid = postmasterPid(requireLocal());
  if (!pid) throw new Error("the local PostgreSQL is not running");
  process.kill(pid, "SIGQUIT");
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) did not stop`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
}

/** Starts the local PostgreSQL again (a no-op while it runs); it recovers from its write-ahead log. */
export async function startLocalPostgres(): Promise<void> {
  requireLocal();
  execFileSync("bash", [join(repoRoot, "scripts", "postgres.sh"), "up"], { stdio: "pipe" });
}
