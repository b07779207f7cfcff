/**
 * `npm run demo` end to end, as a user runs it, with its own state directory,
 * database, service and data plane (on ports of its own) on the tests'
 * cluster: staging is deployed, a healthy release is promoted and a bad one
 * rolled back through the real gateway, Prometheus and service; the demo
 * checks the gateway's split at every step (±5 points) and the live route at
 * 0 % after the rollback, and exits 0 only if all of that holds.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../automation/dataplane/freePort";
import { createTestDatabase, type TestDatabase } from "../../support/database";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { kubeconfigPath } from "../../support/toolchain";

const root = resolve(__dirname, "../../..");

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe("npm run demo", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "rg-demo-"));
  let database: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv = {};

  afterAll(async () => {
    const pidFile = join(stateDir, "service.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8"));
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    await run("bash", ["scripts/dataplane.sh", "down"], env, 60_000);
    const { core } = kubeClients();
    await core.deleteNamespace({ name: "sample-app-staging" }).catch(() => undefined);
    await eventually(() => namespaceGone(core, "sample-app-staging"), 120_000, 500);
    await database?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 300_000);

  it("promotes the healthy canary and rolls back the bad one, with the gateway's split within 5 points at each step", async () => {
    database = await createTestDatabase("rg_demo");
    const { PULUMI_BACKEND_URL: _backend, PULUMI_CONFIG_PASSPHRASE_FILE: _passphrase, ...inherited } = process.env;
    env = {
      ...inherited,
      ROLLGATE_STATE_DIR: stateDir,
      KUBECONFIG: kubeconfigPath(),
      ROLLGATE_DATABASE_URL: database.url,
      ROLLGATE_LOCAL_DATABASE: "0",
      ROLLGATE_PORT: String(await freePort()),
      ROLLGATE_GATEWAY_PORT: String(await freePort()),
      ROLLGATE_PROMETHEUS_PORT: String(await freePort()),
      ROLLGATE_DATAPLANE_PORT: String(await freePort()),
    };

    const { code, output } = await run("bash", ["scripts/demo.sh"], env, 1_200_000);

    expect(code, output).toBe(0);
    expect(output).toMatch(/healthy: succeeded/);
    expect(output).toMatch(/bad: rolledBack: .*error-rate/);
    for (const weight of [5, 25, 50, 100]) {
      expect(output, `no gateway split measured at ${weight} %`).toMatch(new RegExp(`the gateway sent [0-9.]+ % of the last 10 s of requests to the canary \\(weight ${weight} %\\)`));
    }
    expect(output).toMatch(/both outcomes are right/);
  });
});
