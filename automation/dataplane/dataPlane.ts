/**
 * Rollgate's local data plane: what a cluster's nodes, gateway and monitoring
 * would do, for the local cluster (KWOK runs no containers). Every
 * `intervalMs` it reads the cluster and converges:
 *
 * - a sample-app process per Deployment of the sample app's image;
 * - the nginx gateway's routes to the live HTTPRoutes (hostnames, weights),
 *   and the routes' status (`Accepted`, the generation served);
 * - Prometheus' scrape targets to the running processes;
 * - a steady load through the gateway to every routed hostname.
 *
 * Pods are simulated; routing, metrics and analysis are real.
 */
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { Registry } from "prom-client";
import { defaultIngressClassName } from "../../components/trafficSplit/routers/nginx/definition";
import type { KubeClient } from "../cluster/kubeClient";
import type { Logger } from "../deps";
import { AccessCounts } from "./accessCounts";
import { readClusterObjects } from "./clusterObjects";
import { NginxGateway } from "./gateway";
import { IngressStatusWriter } from "./ingressStatus";
import { LocalPrometheus } from "./prometheus";
import { RouteStatusWriter } from "./routeStatus";
import type { DataPlaneSettings } from "./settings";
import { topologyOf, type Route, type Workload } from "./topology";
import { TrafficGenerator } from "./traffic";
import { WorkloadProcesses } from "./workloads";

export class DataPlane {
  private readonly registry = new Registry();
  private readonly processes: WorkloadProcesses;
  private readonly gateway: NginxGateway;
  private readonly prometheus: LocalPrometheus;
  private readonly counts: AccessCounts;
  private readonly traffic: TrafficGenerator;
  private readonly routeStatus: RouteStatusWriter;
  private readonly ingressStatus: IngressStatusWriter;
  private routes: readonly Route[] = [];
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private lastError = "";
  private stopping = false;

  constructor(
    private readonly settings: DataPlaneSettings,
    private readonly client: Pick<KubeClient, "get" | "mergePatch">,
    private readonly logger: Logger,
  ) {
    this.processes = new WorkloadProcesses(logger);
    this.gateway = new NginxGateway({ port: settings.gatewayPort, dir: `${settings.dir}/gateway` }, logger);
    this.prometheus = new LocalPrometheus(`${settings.dir}/prometheus`, settings.prometheusPort, settings.statusPort, logger);
    this.counts = new AccessCounts(this.gateway.accessLog, this.registry);
    this.traffic = new TrafficGenerator(settings.gatewayPort, settings.trafficPerRoute);
    this.routeStatus = new RouteStatusWriter(client, logger);
    this.ingressStatus = new IngressStatusWriter(client, logger, defaultIngressClassName);
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.settings.gatewayPort}`;
  }

  get prometheusUrl(): string {
    return this.prometheus.url;
  }

  async start(): Promise<void> {
    mkdirSync(`${this.settings.dir}/gateway`, { recursive: true });
    this.server = createServer((req, res) => void this.serve(req.url ?? "/", res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(this.settings.statusPort, "127.0.0.1", resolve);
    });
    await this.gateway.apply([], new Map());
    await this.prometheus.start();
    this.traffic.start();
    await this.converge();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.traffic.stop();
    await this.processes.stopAll();
    await Promise.all([this.gateway.stop(), this.prometheus.stop()]);
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.converge().finally(() => this.schedule()), this.settings.intervalMs);
  }

  private async converge(): Promise<void> {
    try {
      const objects = await readClusterObjects(this.client);
      const topology = topologyOf(objects, this.settings.sampleAppRepository);
      await this.processes.reconcile(topology.workloads);
      const ports = this.processes.ports();
      await this.gateway.apply(topology.routes, ports);
      await this.routeStatus.report(objects.routes, new Set(objects.services.map((service) => `${service.metadata?.namespace}/${service.metadata?.name}`)));
      await this.ingressStatus.report(objects.ingresses);
      this.routes = topology.routes;
      const ready = this.processes.list().filter((run) => run.ready);
      this.prometheus.setTargets(ready);
      this.traffic.target(topology.routes.filter((route) => route.backends.length > 0).map((route) => route.hostnames[0] ?? ""));
      this.counts.collect(new Map(ready.map((run): [number, Workload] => [run.port, run.workload])));
      this.lastError = "";
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.logger.warn({ error: message }, "could not converge the local data plane; retrying");
      this.lastError = message;
    }
  }

  private async serve(url: string, res: import("node:http").ServerResponse): Promise<void> {
    if (url === "/metrics") {
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(await this.registry.metrics());
      return;
    }
    if (url === "/status") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          gateway: this.gatewayUrl,
          prometheus: this.prometheusUrl,
          trafficPerRoute: this.settings.trafficPerRoute,
          requestsSent: this.traffic.sent,
          workloads: this.processes.list().map(({ workload, port, ready }) => ({ ...workload, port, ready })),
          routes: this.routes,
          error: this.lastError || null,
        }),
      );
      return;
    }
    res.writeHead(url === "/healthz" ? 200 : 404, { "content-type": "text/plain" });
    res.end(url === "/healthz" ? "ok\n" : "not found\n");
  }
}
