/**
 * Three Rollgate service processes on one PostgreSQL (Rollgate's records and
 * Pulumi's state) and one cluster: previews requested across them run once
 * each, a release is started by exactly one of two replicas asked at once,
 * a release whose replica is SIGKILLed mid-step is taken over and finished by
 * another, an abort sent to a replica that does not drive the release is
 * carried out by the one that does, and the database going away for a while
 * (an immediate shutdown mid-create and mid-step) costs 503s, not requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { program } from "../../../infra/program";
import { Database } from "../../../automation/store/database";
import { migrate } from "../../../automation/store/migrate";
import { PgStackConfigStore } from "../../../automation/store/stackConfigStore";
import pino from "pino";
import { backendWeights, readHttpRoute } from "../../support/gatewayApi";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { killLocalPostgres, startLocalPostgres } from "../../support/localPostgres";
import { PreviewBackend, uniquePr } from "../../support/previewStacks";
import { ReplicaSet } from "../../support/replicaSet";
import { releaseStackConfig } from "../../support/stackConfig";
import { Timings } from "../../support/timing";
import { WeightWatcher } from "../../support/weightWatcher";
import { destroyThroughService, type ApiResponse, type OperationBody } from "../../support/rollgateService";

const LEASE_TTL_SECONDS = 8;
const POLL_SECONDS = 1;
const environment = "staging";
const app = "sample-app";
const namespace = `rg-e2e-replicas-${process.pid}`;
const prs = Array.from({ length: 20 }, (_, n) => uniquePr(40 + n));
const noChecks = { errorRate: { enabled: false }, latency: { enabled: false }, minRequests: 0 };

interface ReleaseBody {
  readonly id: string;
  readonly status: string;
  readonly weight: number;
  readonly reason: string | null;
}

describe("three replicas on one database", () => {
  const replicas = new ReplicaSet(3, ["previews:read", "previews:write", `releases:${environment}`, "releases:read", "audit:read"], {
    ROLLGATE_LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS),
    ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS: String(POLL_SECONDS),
    ROLLGATE_RELEASE_PROGRESS_DEADLINE_SECONDS: "240",
    ROLLGATE_MAX_CONCURRENT_OPERATIONS: "1",
  });
  const kube = kubeClients();
  const timings = new Timings("replicas");
  const projectBackend = process.env.PULUMI_BACKEND_URL;
  let backend: PreviewBackend;
  let engine: LocalStackEngine;
  let configDatabase: Database;
  const watcher = new WeightWatcher(async () => backendWeights(await readHttpRoute(kube.custom, namespace, app))[`${app}-canary`] ?? 0);

  beforeAll(async () => {
    await replicas.start();
    // The harness's engine and `pulumi` commands use the replicas' backend.
    process.env.PULUMI_BACKEND_URL = replicas.url;
    backend = new PreviewBackend();
    configDatabase = new Database({ url: replicas.url, logger: pino({ level: "silent" }) });
    await migrate(configDatabase);
    engine = new LocalStackEngine({ program, workspacesDir: `${replicas.states[0]!.dir}/harness-workspaces`, configStore: new PgStackConfigStore(configDatabase) });
    await timings.measure("environment stack up", () =>
      engine.up(environment, releaseStackConfig({ environment, app, namespace, stableImage: "ghcr.io/rollgate/sample-app:1.0.0" }, { "rollgate:domain": "rollgate.localhost" })),
    );
    watcher.start();
  });

  afterAll(async () => {
    watcher.stop();
    await startLocalPostgres();
    const alive = replicas.services.findIndex((service) => service?.running);
    if (alive >= 0) await destroyThroughService(replicas.services[alive], replicas.apis[alive]!, prs.slice(0, 2));
    await Promise.all(replicas.services.map((service) => service?.stop()));
    await engine?.destroy(environment).catch((error: unknown) => console.error(`[cleanup] destroy ${environment}: ${String(error)}`));
    const leftovers = await backend?.cleanUp(prs, kube);
    backend?.dispose();
    await configDatabase?.close();
    process.env.PULUMI_BACKEND_URL = projectBackend;
    await replicas.stop();
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000, 500)).toBe(true);
  });

  /** Polls replica `n` for the release until `done` holds. */
  async function waitForRelease(n: number, id: string, done: (release: ReleaseBody) => boolean, timeoutMs = 240_000): Promise<ReleaseBody> {
    const deadline = Date.now() + timeoutMs;
    let last: ApiResponse<ReleaseBody> | undefined;
    while (Date.now() < deadline) {
      last = await replicas.apis[n]!.request<ReleaseBody>("GET", `/api/v1/releases/${id}`).catch(() => last);
      if (last?.status === 200 && done(last.body)) return last.body;
      await new Promise((wait) => setTimeout(wait, 250));
    }
    throw new Error(`release ${id} did not get there: ${JSON.stringify(last?.body)}\n${replicas.describe()}`);
  }

  /** What went differently for each operation not `status` on attempt `attempts`: its error and every replica's log lines about it. */
  function unlike(operations: readonly OperationBody[], status: string, attempts: number): string {
    return operations
      .filter((operation) => operation.status !== status || operation.attempts !== attempts)
      .map((operation) => {
        const lines = replicas.services.flatMap((service, n) =>
          (service?.logs ?? []).filter((line) => line.operationId === operation.id).map((line) => `replica ${n}: ${JSON.stringify(line)}`),
        );
        return [`operation ${operation.id} ${operation.status} after ${operation.attempts} attempt(s): ${operation.error ?? ""}`, ...operation.log.slice(-20), ...lines].join("\n");
      })
      .join("\n\n");
  }

  const finished = (release: ReleaseBody) => ["succeeded", "rolledBack", "failed", "aborted"].includes(release.status);

  it("runs 20 previews requested across the three exactly once each, and leaves no stack locked", async () => {
    const started = Date.now();
    const accepted = await Promise.all(prs.map((pr, n) => replicas.apis[n % 3]!.createPreview({ pr, image: `ghcr.io/rollgate/sample-app:replicas-${pr}` })));
    expect(accepted.map((response) => response.status)).toEqual(prs.map(() => 202));

    const operations = await Promise.all(accepted.map((response, n) => replicas.apis[(n + 1) % 3]!.finished(response.body.operation.id, 900_000)));
    timings.record("20 previews across 3 replicas → all finished", Date.now() - started);

    expect(operations.map((operation) => [operation.status, operation.attempts]), unlike(operations, "succeeded", 1)).toEqual(prs.map(() => ["succeeded", 1]));
    const owners = new Set(replicas.services.flatMap((service) => service!.logs.filter((line) => line.msg === "operation started").map((line) => `${String(line.operationId)}`)));
    expect(owners.size).toBe(20);
    const ranOn = replicas.services.map((service) => service!.logs.filter((line) => line.msg === "operation started").length);
    expect(ranOn.every((count) => count > 0)).toBe(true);
    const histories = await Promise.all(prs.map((pr) => backend.history(pr)));
    expect(histories.map((history) => history.map((entry) => entry.kind))).toEqual(prs.map(() => ["update"]));
    // No lock left: an export/import (which takes the lock) goes through on every stack.
    for (const pr of prs.slice(0, 5)) await backend.exportImport(pr);
    expect(await configDatabase.query("SELECT key FROM pulumi_state WHERE key LIKE '%/locks/%'").then((result) => result.rows)).toEqual([]);

    const destroys = await Promise.all(prs.map((pr, n) => replicas.apis[(n + 2) % 3]!.deletePreview(pr)));
    expect(destroys.map((response) => response.status)).toEqual(prs.map(() => 202));
    const gone = await Promise.all(destroys.map((response, n) => replicas.apis[n % 3]!.finished(response.body.operation.id, 900_000)));
    expect(gone.map((operation) => operation.status)).toEqual(prs.map(() => "succeeded"));
    timings.record("20 previews created and destroyed", Date.now() - started);
  });

  it("starts a release on exactly one of two replicas asked at once; the other answers 409", async () => {
    const body = { environment, image: "ghcr.io/rollgate/sample-app:1.1.0", steps: [{ weight: 100, pauseSeconds: 0 }], analysis: noChecks };

    const answers = await Promise.all([0, 1].map((n) => replicas.apis[n]!.request<ReleaseBody>("POST", "/api/v1/releases", body)));

    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const started = answers.find((answer) => answer.status === 202)!.body;
    const release = await waitForRelease(2, started.id, finished);
    expect(release.status, `${release.reason ?? ""}\n${replicas.describe()}`).toBe("succeeded");
  });

  it("hands a release whose replica is SIGKILLed mid-step to another, which finishes it; the route never carries a weight no record said", async () => {
    const since = Date.now();
    const started = await replicas.apis[0]!.request<ReleaseBody>("POST", "/api/v1/releases", {
      environment,
      image: "ghcr.io/rollgate/sample-app:1.2.0",
      steps: [10, 50, 100].map((weight) => ({ weight, pauseSeconds: 4 })),
      analysis: noChecks,
    });
    expect(started.status).toBe(202);
    const recorded = new Set<number>([0]);
    const recorder = setInterval(() => {
      void replicas.apis[1]!.request<ReleaseBody>("GET", `/api/v1/releases/${started.body.id}`).then(
        (response) => response.status === 200 && recorded.add(response.body.weight),
        () => undefined,
      );
    }, 100);
    try {
      const driver = replicas.service(0);
      await driver.waitForLog((line) => line.releaseId === started.body.id && line.msg === "setting canary weight" && line.to === 50, 180_000);
      await driver.crash();
      const killedAt = Date.now();

      const takeover = await Promise.race(
        [1, 2].map((n) => replicas.service(n).waitForLog((line) => line.releaseId === started.body.id && line.msg === "recovering release", 120_000)),
      );
      const tookOverAfter = Date.parse(String(takeover.time)) - killedAt;
      timings.record("lease takeover after SIGKILL (release)", tookOverAfter);
      const release = await waitForRelease(1, started.body.id, finished);

      expect(tookOverAfter).toBeLessThanOrEqual((LEASE_TTL_SECONDS + POLL_SECONDS + 2) * 1000);
      expect(release.status, `${release.reason ?? ""}\n${replicas.describe()}`).toBe("succeeded");
      const liveWeights = new Set(watcher.samples.filter((sample) => sample.at >= since).map((sample) => sample.weight));
      expect([...liveWeights].filter((weight) => !recorded.has(weight))).toEqual([]);
    } finally {
      clearInterval(recorder);
      // The tests after this one use all three replicas.
      if (!replicas.service(0).running) await replicas.startReplica(0);
    }
  });

  it("carries out an abort sent to a replica that does not drive the release, fast", async () => {
    const started = await replicas.apis[1]!.request<ReleaseBody>("POST", "/api/v1/releases", {
      environment,
      image: "ghcr.io/rollgate/sample-app:1.3.0",
      steps: [{ weight: 30, pauseSeconds: 300 }, { weight: 100, pauseSeconds: 0 }],
      analysis: noChecks,
    });
    expect(started.status).toBe(202);
    expect(await eventually(async () => watcher.samples.at(-1)?.weight === 30, 180_000, 250)).toBe(true);

    const sentAt = Date.now();
    const answer = await replicas.apis[2]!.request<ReleaseBody>("POST", `/api/v1/releases/${started.body.id}/abort`, { reason: "stop from another replica" });
    const release = await waitForRelease(2, started.body.id, finished);
    const zeroAt = watcher.firstSeen(0, sentAt);

    expect(answer.status).toBe(202);
    expect(release).toMatchObject({ status: "aborted", weight: 0, reason: "stop from another replica" });
    expect(zeroAt).toBeDefined();
    timings.record("abort on a replica that does not drive → weight 0 on the route", zeroAt! - sentAt);
    expect(replicas.service(1).logs.some((line) => line.releaseId === started.body.id && line.msg === "release aborted")).toBe(true);
  });

  it("loses nothing accepted when the database shuts down immediately mid-create and mid-step, and answers 503 until it is back", async () => {
    const pr = prs[0]!;
    const create = await replicas.apis[0]!.createPreview({ pr, image: "ghcr.io/rollgate/sample-app:db-crash" });
    const release = await replicas.apis[1]!.request<ReleaseBody>("POST", "/api/v1/releases", {
      environment,
      image: "ghcr.io/rollgate/sample-app:1.4.0",
      steps: [{ weight: 20, pauseSeconds: 6 }, { weight: 100, pauseSeconds: 0 }],
      analysis: noChecks,
    });
    expect([create.status, release.status]).toEqual([202, 202]);
    await replicas.service(1).waitForLog((line) => line.releaseId === release.body.id && line.msg === "setting canary weight", 120_000);

    await killLocalPostgres();
    const down = Date.now();
    const answers: number[] = [];
    const retryAfter: (string | null)[] = [];
    while (Date.now() - down < 20_000) {
      for (const n of [0, 1, 2]) {
        const list = await fetch(`${replicas.service(n).url}/api/v1/previews`, { headers: { authorization: `Bearer ${replicas.states[0]!.token}` } });
        answers.push(list.status);
        retryAfter.push(list.headers.get("retry-after"));
      }
      const posted = await fetch(`${replicas.service(2).url}/api/v1/previews`, {
        method: "POST",
        headers: { authorization: `Bearer ${replicas.states[0]!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ pr: prs[1]!, image: "ghcr.io/rollgate/sample-app:while-down" }),
      });
      answers.push(posted.status);
      retryAfter.push(posted.headers.get("retry-after"));
      await new Promise((wait) => setTimeout(wait, 1000));
    }
    const ready = await fetch(`${replicas.service(2).url}/readyz`);
    await startLocalPostgres();

    const [operation, finishedRelease] = await Promise.all([
      replicas.apis[2]!.finished(create.body.operation.id, 600_000),
      waitForRelease(0, release.body.id, finished, 600_000),
    ]);

    expect(answers.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(answers.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(retryAfter.filter((value, n) => answers[n] === 503 && value === null)).toEqual([]);
    expect(ready.status).toBe(503);
    expect(operation.status, operation.error ?? "").toBe("succeeded");
    expect(finishedRelease.status, `${finishedRelease.reason ?? ""}\n${replicas.describe()}`).toBe("succeeded");
    for (const n of [0, 1, 2]) expect(replicas.service(n).running).toBe(true);
  });
});
