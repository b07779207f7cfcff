/**
 * Crash safety of the real service: SIGKILL the service and everything it
 * runs (as an OOM kill of its container would) while the engine is creating
 * a preview (its namespace already exists, the rest is on its way), restart
 * it (a new replica on the same database), and once the killed replica's
 * lease has expired the new one claims the same operation again and the
 * preview ends ready, with one namespace and nothing left locked.
 *
 * This file uses a file backend of its own, not the project's: a Pulumi CLI
 * killed while saving a checkpoint can leave the DIY backend's
 * `<stack>.json.attrs` empty (gocloud's fileblob truncates and rewrites it
 * in place), after which `pulumi stack ls` fails with "EOF" for every stack
 * of the project until the file is removed.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { deploymentState, PreviewBackend, previewNamespaces, uniquePr } from "../../support/previewStacks";
import {
  descendants,
  destroyThroughService,
  killLeftovers,
  newStateDir,
  RollgateApi,
  RollgateProcess,
  type ProcessId,
  type RollgateService,
} from "../../support/rollgateService";
import { Timings } from "../../support/timing";
import { stateDatabaseUrl } from "../../support/database";
import { Database } from "../../../automation/store/database";
import { LeaseStore } from "../../../automation/store/leases";
import { PgOperationStore } from "../../../automation/store/operationStore";
import pino from "pino";

/** A short lease TTL: the restarted service takes the killed one's operation over soon after. */
const serviceEnv = { ROLLGATE_LEASE_TTL_SECONDS: "5" };

const pr = uniquePr(6);
const stack = `preview-pr-${pr}`;
const image = `ghcr.io/rollgate/sample-app:crash-${pr}`;

describe("a service killed during an up", () => {
  const backendDir = mkdtempSync(join(tmpdir(), "rg-e2e-crash-backend-"));
  const projectBackend = process.env.PULUMI_BACKEND_URL;
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("crash");
  const state = newStateDir();
  let service: RollgateService | undefined;
  const api = new RollgateApi(() => service?.url ?? "", state.token);
  /** Processes the killed service had started (the Pulumi CLI, plugins); any still running are killed at the end. */
  let orphans: ProcessId[] = [];
  let namespace = "";

  beforeAll(async () => {
    // The test's own engine and `pulumi` commands read it from the environment, like the service.
    process.env.PULUMI_BACKEND_URL = `file://${backendDir}`;
    service = await RollgateProcess.start(state.dir, { env: serviceEnv });
  });

  /** The operation as the service's database has it. */
  async function storedOperation(id: string) {
    const database = new Database({ url: stateDatabaseUrl(state.dir), logger: pino({ level: "silent" }) });
    try {
      return await new PgOperationStore(database, new LeaseStore(database, { holder: "test", host: "test", ttlMs: 1000 })).get(id);
    } finally {
      await database.close();
    }
  }

  let operationId = "";

  afterAll(async () => {
    await destroyThroughService(service, api, [pr]);
    await service?.stop();
    const killed = killLeftovers(orphans);
    if (killed.length > 0) console.info(`[cleanup] killed processes the crashed service left running: ${killed.join(", ")}`);
    const leftovers = await backend.cleanUp([pr], kube);
    backend.dispose();
    state.remove();
    process.env.PULUMI_BACKEND_URL = projectBackend;
    rmSync(backendDir, { recursive: true, force: true });
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
  });

  it("is SIGKILLed with its Pulumi CLI while the engine creates the preview's resources, leaving the up recorded as running", async () => {
    const accepted = await api.createPreview({ pr, image });
    expect(accepted.body).toMatchObject({ status: "creating", operation: { kind: "up" } });
    operationId = accepted.body.operation.id;

    const deploying = await eventually(async () => (await previewNamespaces(kube.core, pr)).length > 0, 90_000, 100);
    expect(deploying).toBe(true);
    orphans = descendants(service!.pid);
    const killed = await service!.crash();

    expect(await storedOperation(operationId)).toMatchObject({ status: "running", attempts: 1 });
    expect(killed.length).toBeGreaterThan(0); // the Pulumi CLI and its plugins were running
    // The killed CLI never released the stack's lock (this test's own file backend; the layout is Pulumi's).
    const locks = readdirSync(join(backendDir, ".pulumi", "locks", "organization", "rollgate", stack));
    expect(locks.filter((file) => file.endsWith(".json"))).toHaveLength(1);
  });

  it("runs the same operation again once the killed replica's lease expired, to ready", async () => {
    const { takenOver, ready } = await timings.measure("restart → preview ready", async () => {
      service = await RollgateProcess.start(state.dir, { env: serviceEnv });
      const line = await service.waitForLog((entry) => entry.msg === "operation taken over: running it again" && entry.operationId === operationId, 120_000);
      return { takenOver: line, ready: await api.settled(pr, operationId) };
    });

    expect(takenOver.attempt).toBe(2);
    expect(ready.body).toMatchObject({
      status: "ready",
      image,
      lastOperation: { id: operationId, kind: "up", status: "succeeded", actor: "e2e" },
    });
    expect(await storedOperation(operationId)).toMatchObject({ status: "succeeded", attempts: 2 });
    const namespaces = await previewNamespaces(kube.core, pr);
    expect(namespaces).toHaveLength(1);
    namespace = namespaces[0] ?? "";
    expect(await deploymentState(kube.apps, namespace, "sample-app-preview")).toMatchObject({ image, available: true });
  });

  it("leaves the stack unlocked: an operation that takes the lock succeeds", async () => {
    await expect(backend.exportImport(pr)).resolves.toBeUndefined();
  });

  it("destroys the recovered preview", async () => {
    const accepted = await api.deletePreview(pr);

    const after = await timings.measure("destroy → gone", () => api.afterDestroy(pr, accepted.body.operation.id));

    expect(after.status).toBe(404);
    expect(await backend.hasStack(pr)).toBe(false);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000)).toBe(true);
  });
});
