/**
 * `npm run demo` end to end, as a user runs it, with its own state directory,
 * database, service and data plane (on ports of its own) on the tests'
 * cluster: staging is deployed, a healthy release is promoted and a bad one
 * rolled back through the real gateway, Prometheus and service; the demo
 * checks the gateway's split at every step (±5 points) and the live route at
 * 0 % after the rollback, and exits 0 only if all of that holds. Then, on
 * the same service and data plane: a `-slow` release is rolled back on
 * latency alone, and a release whose analysis sees no traffic is paused (the
 * configured inconclusive policy), never promoted.
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

  interface Release {
    readonly id: string;
    readonly status: string;
    readonly weight: number;
    readonly reason: string | null;
    readonly analysis: readonly { readonly metric: string; readonly phase: string; readonly value: number | null }[];
  }

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const token = readFileSync(join(stateDir, "token"), "utf8").trim();
    const response = await fetch(`http://127.0.0.1:${env.ROLLGATE_PORT}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function releaseUntil(id: string, done: (release: Release) => boolean, timeoutMs = 600_000): Promise<Release> {
    const deadline = Date.now() + timeoutMs;
    let last: Release | undefined;
    while (Date.now() < deadline) {
      last = (await api<Release>("GET", `/api/v1/releases/${id}`)).body;
      if (done(last)) return last;
      await new Promise((wait) => setTimeout(wait, 1000));
    }
    throw new Error(`release ${id} did not get there: ${JSON.stringify(last)}`);
  }

  const finished = (release: Release) => ["succeeded", "rolledBack", "failed", "aborted"].includes(release.status);
  const analysis = { windowSeconds: 20, minRequests: 20, count: 1, intervalSeconds: 5, selector: { namespace: "sample-app-staging" } };

  it("rolls a -slow canary back on latency alone (its error rate is as healthy as stable's)", async () => {
    const started = await api<Release>("POST", "/api/v1/releases", {
      environment: "staging",
      image: "ghcr.io/rollgate/sample-app:9.0.0-slow",
      steps: [{ weight: 50, pauseSeconds: 20 }, { weight: 100, pauseSeconds: 0 }],
      analysis,
    });
    expect(started.status).toBe(202);

    const release = await releaseUntil(started.body.id, finished);

    expect(release.status, JSON.stringify(release)).toBe("rolledBack");
    expect(release.weight).toBe(0);
    expect(release.analysis.filter((record) => record.phase === "failed").map((record) => record.metric)).toEqual(["latency"]);
    expect(release.analysis.some((record) => record.metric === "error-rate" && record.phase === "successful")).toBe(true);
  });

  it("pauses, never promotes, a canary whose analysis sees no traffic; abort then takes it back to 0 %", async () => {
    const started = await api<Release>("POST", "/api/v1/releases", {
      environment: "staging",
      image: "ghcr.io/rollgate/sample-app:9.1.0",
      steps: [{ weight: 25, pauseSeconds: 10 }, { weight: 100, pauseSeconds: 0 }],
      // A selector no workload has: the canary's request count is 0, below minRequests.
      analysis: { ...analysis, selector: { namespace: "no-such-namespace" }, inconclusive: { action: "pause" } },
    });
    expect(started.status).toBe(202);

    const paused = await releaseUntil(started.body.id, (release) => release.status === "paused" || finished(release));
    const aborted = await api<Release>("POST", `/api/v1/releases/${started.body.id}/abort`, { reason: "no traffic to judge it by" });
    const release = await releaseUntil(started.body.id, finished);

    expect(paused.status, JSON.stringify(paused)).toBe("paused");
    expect(paused.weight).toBe(25);
    expect(paused.analysis.some((record) => record.phase === "inconclusive")).toBe(true);
    expect(aborted.status).toBe(202);
    expect(release).toMatchObject({ status: "aborted", weight: 0 });
  });
});
