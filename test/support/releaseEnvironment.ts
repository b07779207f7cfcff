/**
 * An environment stack for release end-to-end tests, with everything real:
 * its own database (Rollgate's records and, by default, Pulumi's state
 * through the `postgres://` backend; a `file://` backend on request) and
 * state directory, the `staging` stack deployed (stable only) by the engine
 * with its config in the service's store, a real Prometheus scraping a
 * stable and a canary sample app, a traffic driver that plays the gateway
 * from the router's live object (HTTPRoute, canary Ingress or
 * VirtualService), and the Rollgate service as a child process
 * (restartable, killable).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackConfig } from "../../automation/engine/port";
import { LocalStackEngine } from "../../automation/engine/localStackEngine";
import { program } from "../../infra/program";
import { SampleApp } from "../fixtures/sampleApp";
import { IngressAddressPublisher } from "./ingressAddress";
import { eventually, kubeClients, namespaceGone } from "./kube";
import { liveCanaryWeight, routerStackConfig, type InClusterRouter } from "./routerObjects";
import { gone } from "./workloads";
import { releaseStackConfig } from "./stackConfig";
import { stateDatabaseUrl, stateStackConfigStore } from "./database";
import { LocalPrometheus } from "./prometheus";
import { newStateDir, RollgateApi, RollgateProcess, type RollgateService } from "./rollgateService";
import { TrafficDriver, type TrafficShares } from "./trafficDriver";

export const app = "sample-app";
export const stableName = `${app}-stable`;
export const canaryName = `${app}-canary`;
export const baselineName = `${app}-baseline`;
export const firstImage = "ghcr.io/rollgate/sample-app:1.0.0";

/** The subset of a release record the tests read. */
export interface ReleaseBody {
  readonly id: string;
  readonly environment: string;
  readonly image: string;
  readonly previousImage: string;
  readonly status: string;
  readonly step: number;
  readonly weight: number;
  readonly reason: string | null;
  readonly analysis: readonly { step: number; metric: string; value: number | null; threshold: number | null; phase: string; at: string; detail: string }[];
}

export interface ReleaseEnvironmentOptions {
  /** The environment and stack name (default `staging`). */
  readonly environment?: string;
  /** The stable image deployed first (default `firstImage`; production needs a digest). */
  readonly stableImage?: string;
  /** Where Pulumi keeps the stack's state: the environment's database (default) or a directory. */
  readonly backend?: "postgres" | "file";
  /** The in-cluster router that splits the traffic (default `gateway-api`). */
  readonly router?: InClusterRouter;
  /** Also run a `baseline` sample app, which gets the route's baseline share (releases with `compareTo: "baseline"`). */
  readonly baseline?: boolean;
}

export class ReleaseEnvironment {
  readonly namespace: string;
  readonly environment: string;
  readonly stableImage: string;
  readonly stable = new SampleApp("stable");
  readonly canary = new SampleApp("canary");
  /** Serves the baseline's share when the environment runs one (`options.baseline`). */
  readonly baseline?: SampleApp;
  readonly prometheus = new LocalPrometheus();
  readonly kube = kubeClients();
  readonly api: RollgateApi;
  readonly traffic: TrafficDriver;
  service?: RollgateService;
  private readonly backendDir = mkdtempSync(join(tmpdir(), "rg-e2e-release-backend-"));
  readonly state: ReturnType<typeof newStateDir>;
  private readonly projectBackend = process.env.PULUMI_BACKEND_URL;
  private readonly backend: "postgres" | "file";
  readonly router: InClusterRouter;
  /** On `nginx`, what an ingress controller would do for the Ingresses: publish an address. */
  private readonly ingressAddresses?: IngressAddressPublisher;
  private engine?: LocalStackEngine;
  private closeConfigStore?: () => Promise<void>;

  constructor(suffix: string, options: ReleaseEnvironmentOptions = {}) {
    this.environment = options.environment ?? "staging";
    this.stableImage = options.stableImage ?? firstImage;
    this.namespace = `rg-e2e-${suffix}`;
    this.state = newStateDir("rg-e2e-release-", [`releases:${this.environment}`, "releases:read", "previews:read"]);
    this.backend = options.backend ?? "postgres";
    this.router = options.router ?? "gateway-api";
    if (this.router === "nginx") this.ingressAddresses = new IngressAddressPublisher(this.namespace);
    this.api = new RollgateApi(() => this.service?.url ?? "", this.state.token);
    if (options.baseline) this.baseline = new SampleApp("baseline");
    this.traffic = new TrafficDriver({ stable: "", canary: "" }, () => (this.baseline ? this.liveShares() : this.liveWeight()));
  }

  /** Deploys stable, starts the sample apps, Prometheus, the traffic driver and the service. */
  async start(serviceEnv: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.deploy();
    await this.startService(serviceEnv);
  }

  /** Everything `start` does but starting the service: deploys stable, starts the sample apps, Prometheus and the traffic driver. */
  async deploy(): Promise<void> {
    // The test's engine and the service's `pulumi` commands read it from the environment.
    process.env.PULUMI_BACKEND_URL = this.backend === "file" ? `file://${this.backendDir}` : stateDatabaseUrl(this.state.dir);
    const configs = await stateStackConfigStore(this.state.dir);
    this.closeConfigStore = configs.close;
    // Its own workspaces; the stack's config goes to the service's store, where the service reads it.
    this.engine = new LocalStackEngine({ program, workspacesDir: join(this.state.dir, "harness-workspaces"), configStore: configs.store });
    this.ingressAddresses?.start();
    await this.engine.up(this.environment, this.stackConfig());
    const backends = {
      stable: await this.stable.start(),
      canary: await this.canary.start(),
      ...(this.baseline ? { baseline: await this.baseline.start() } : {}),
    };
    this.traffic.retarget(backends);
    await this.prometheus.start(backends);
    this.traffic.start();
  }

  async startService(serviceEnv: Readonly<Record<string, string>> = {}): Promise<RollgateService> {
    this.service = await RollgateProcess.start(this.state.dir, {
      env: {
        ROLLGATE_PROMETHEUS_URL: this.prometheus.url,
        ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS: "1",
        ROLLGATE_RELEASE_PROGRESS_DEADLINE_SECONDS: "180",
        // A restarted service (a new replica) takes releases over once the old one's leases expire.
        ROLLGATE_LEASE_TTL_SECONDS: "5",
        ...serviceEnv,
      },
    });
    return this.service;
  }

  /** Destroys the stack and stops everything; the cluster is left without the test's namespace. */
  async stop(): Promise<void> {
    await this.traffic.stop();
    await this.service?.stop();
    await this.engine?.destroy(this.environment).catch((error: unknown) => console.error(`[cleanup] destroy failed: ${String(error)}`));
    this.ingressAddresses?.stop();
    await this.closeConfigStore?.();
    await this.prometheus.stop();
    await Promise.all([this.stable.stop(), this.canary.stop(), this.baseline?.stop()]);
    const namespaceRemoved = await eventually(() => namespaceGone(this.kube.core, this.namespace), 60_000, 500);
    if (!namespaceRemoved) console.error(`[cleanup] namespace ${this.namespace} is still there`);
    process.env.PULUMI_BACKEND_URL = this.projectBackend;
    rmSync(this.backendDir, { recursive: true, force: true });
    this.state.remove();
  }

  /** The stack config the environment starts with: stable only, one replica per track, on the environment's router. */
  stackConfig(): StackConfig {
    return releaseStackConfig(
      { environment: this.environment, app, namespace: this.namespace, stableImage: this.stableImage },
      { "rollgate:domain": "rollgate.localhost", ...routerStackConfig(this.router) },
    );
  }

  /** The stack's config as the service sees it. */
  config(): Promise<Record<string, string>> {
    if (!this.engine) throw new Error("start the environment first");
    return this.engine.config(this.environment);
  }

  /** The canary's weight on the router's live object (0 when it sends the canary nothing). */
  liveWeight(): Promise<number> {
    return liveCanaryWeight(this.router, this.kube, { namespace: this.namespace, app, canaryService: canaryName });
  }

  /** The canary's and the baseline's shares on the live route. */
  async liveShares(): Promise<TrafficShares> {
    const [canary, baseline] = await Promise.all([
      this.liveWeight(),
      liveCanaryWeight(this.router, this.kube, { namespace: this.namespace, app, canaryService: baselineName }),
    ]);
    return { canary, baseline };
  }

  async deploymentImage(name: string): Promise<string | undefined> {
    const deployment = await this.kube.apps.readNamespacedDeployment({ namespace: this.namespace, name });
    return deployment.spec?.template.spec?.containers[0]?.image;
  }

  canaryGone(): Promise<boolean> {
    return this.deploymentGone(canaryName);
  }

  deploymentGone(name: string): Promise<boolean> {
    return gone(() => this.kube.apps.readNamespacedDeployment({ namespace: this.namespace, name }));
  }

  startRelease(body: Record<string, unknown>) {
    return this.api.request<ReleaseBody>("POST", "/api/v1/releases", { environment: this.environment, ...body });
  }

  async release(id: string): Promise<ReleaseBody> {
    const response = await this.api.request<ReleaseBody>("GET", `/api/v1/releases/${id}`);
    if (response.status !== 200) throw new Error(`GET release ${id} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Polls the release until `done` holds; fails with the last record and the service's logs. */
  async waitForRelease(id: string, done: (release: ReleaseBody) => boolean, timeoutMs = 300_000): Promise<ReleaseBody> {
    const deadline = Date.now() + timeoutMs;
    let last: ReleaseBody | undefined;
    while (Date.now() < deadline) {
      last = await this.release(id).catch(() => last);
      if (last && done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`release ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}\n${this.service?.describe() ?? ""}`);
  }

  /** Waits for a finished release (succeeded, rolledBack, failed or aborted). */
  settled(id: string, timeoutMs?: number): Promise<ReleaseBody> {
    return this.waitForRelease(id, (release) => ["succeeded", "rolledBack", "failed", "aborted"].includes(release.status), timeoutMs);
  }
}
