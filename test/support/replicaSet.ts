/**
 * Several Rollgate service processes on one database and one cluster, as a
 * team runs them: each replica has its own state directory (workspaces,
 * tokens file with the same token), all share `ROLLGATE_DATABASE_URL` and
 * keep Pulumi's state in that same database.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "./database";
import { newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "./rollgateService";

export class ReplicaSet {
  readonly states: ReturnType<typeof newStateDir>[];
  readonly services: (RollgateService | undefined)[];
  readonly apis: RollgateApi[];
  database?: TestDatabase;

  constructor(
    readonly size: number,
    scopes: readonly string[],
    private readonly env: Readonly<Record<string, string>> = {},
  ) {
    const first = newStateDir("rg-e2e-replica-", scopes);
    this.states = [first];
    for (let n = 1; n < size; n++) {
      const state = newStateDir("rg-e2e-replica-", scopes);
      copyFileSync(join(first.dir, "tokens.json"), join(state.dir, "tokens.json"));
      this.states.push({ ...state, token: first.token });
    }
    this.services = Array.from({ length: size }, () => undefined);
    this.apis = this.states.map((state, n) => new RollgateApi(() => this.services[n]?.url ?? "", state.token));
  }

  get url(): string {
    if (!this.database) throw new Error("start the replicas first");
    return this.database.url;
  }

  /** Creates the shared database and starts every replica. */
  async start(): Promise<void> {
    this.database = await createTestDatabase("rg_replicas");
    await Promise.all(this.states.map((_state, n) => this.startReplica(n)));
  }

  /** (Re)starts replica `n` on the shared database, as a new process (a new replica identity). */
  async startReplica(n: number, env: Readonly<Record<string, string>> = {}): Promise<RollgateService> {
    const service = await RollgateProcess.start(this.states[n]!.dir, {
      env: { ROLLGATE_DATABASE_URL: this.url, PULUMI_BACKEND_URL: this.url, ...this.env, ...env },
    });
    this.services[n] = service;
    return service;
  }

  service(n: number): RollgateService {
    const service = this.services[n];
    if (!service) throw new Error(`replica ${n} is not running`);
    return service;
  }

  /** Stops every replica (gracefully) and drops the shared database. */
  async stop(): Promise<void> {
    await Promise.all(this.services.map((service) => service?.stop()));
    await this.database?.drop();
    for (const state of this.states) state.remove();
  }

  describe(): string {
    return this.services.map((service, n) => `--- replica ${n}\n${service?.describe(25) ?? "(not running)"}`).join("\n");
  }
}
