/**
 * The demo's `staging`, deployed (stable only) the way the service runs
 * stacks: the service's engine wiring (its stack-config store, stack leases,
 * backend, policy pack), seeded from `stacks/Pulumi.staging.yaml`. A stack
 * whose workloads are gone (the local cluster was recreated) is destroyed
 * and deployed again.
 */
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { program } from "../infra/program";
import { LeaseKeeper } from "../automation/coordination/leaseKeeper";
import { LeasedStackGuard } from "../automation/coordination/stackLeases";
import { LocalStackEngine } from "../automation/engine/localStackEngine";
import { pulumiBackendEnv, pulumiBackendUrl } from "../automation/engine/backendEnv";
import { createLogger } from "../automation/logger";
import { policyConfigFor, servicePolicyPack } from "../automation/productionAdapters";
import { openStore } from "../automation/store";

export async function ensureStaging(options: { readonly databaseUrl: string; readonly stateDir: string; readonly workloadsRunning: () => Promise<boolean>; readonly say: (message: string) => void }): Promise<void> {
  const logger = createLogger("warn");
  const store = await openStore({ url: options.databaseUrl, logger, replica: { id: `demo-${process.pid}`, host: hostname() }, leaseTtlMs: 15_000 });
  try {
    const engine = new LocalStackEngine({
      program,
      workspacesDir: join(resolve(options.stateDir), "demo-workspaces"),
      nodeCompileCacheDir: join(resolve(options.stateDir), "node-compile-cache"),
      configStore: store.stackConfig,
      guard: new LeasedStackGuard(new LeaseKeeper(store.leases, { logger })),
      env: pulumiBackendEnv(process.env.PULUMI_BACKEND_URL || pulumiBackendUrl(options.databaseUrl), process.env),
      seedConfigDir: resolve(__dirname, "..", "stacks"),
      policyPacks: [servicePolicyPack().directory],
      policyPackConfig: policyConfigFor,
    });
    const exists = (await engine.list()).some((stack) => stack.name === "staging");
    if (exists && (await options.workloadsRunning())) return;
    if (exists) {
      options.say("staging's workloads are missing from this cluster (it was recreated): destroying the stack and deploying it again");
      await engine.destroy("staging");
    }
    options.say("deploying staging (stable only, ghcr.io/rollgate/sample-app:1.0.0) — the first deploy takes a minute");
    await engine.up("staging", {});
  } finally {
    await Promise.all([store.database.close(), store.leaseConnections.close()]);
  }
}
