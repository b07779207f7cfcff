/**
 * The gateway's own access counts, read from nginx's access log (fields in
 * `ACCESS_LOG_FORMAT`) and exposed as `gateway_requests_total{host,
 * namespace, deployment, track, code}`: what the gateway sent where,
 * independently of what the apps report.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { Counter, type Registry } from "prom-client";
import type { Workload } from "./topology";

export interface AccessLine {
  readonly host: string;
  /** The port of the last upstream tried, when one was. */
  readonly upstreamPort?: number;
  readonly status: string;
}

export function parseAccessLine(line: string): AccessLine | undefined {
  // `$upstream_addr` lists every upstream tried (`a, b`): host first, status and time last.
  const fields = line.trim().split(" ");
  if (fields.length < 4) return undefined;
  const host = fields[0] ?? "";
  const status = fields.at(-2) ?? "";
  const upstream = fields.slice(1, -2).join(" ");
  const last = upstream.split(",").at(-1)?.trim() ?? "";
  const port = Number(/:(\d+)$/.exec(last)?.[1]);
  return { host, status, ...(Number.isInteger(port) && port > 0 ? { upstreamPort: port } : {}) };
}

export class AccessCounts {
  private offset = 0;
  private partial = "";
  private readonly requests: Counter<"host" | "namespace" | "deployment" | "track" | "code">;

  constructor(
    private readonly file: string,
    registry: Registry,
  ) {
    this.requests = new Counter({
      name: "gateway_requests_total",
      help: "Requests the local gateway routed, by backend",
      labelNames: ["host", "namespace", "deployment", "track", "code"],
      registers: [registry],
    });
  }

  /** Counts the lines written since the last call; `byPort` names the workload behind each upstream port. */
  collect(byPort: ReadonlyMap<number, Workload>): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buffer.toString("utf8")).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      const parsed = parseAccessLine(line);
      if (!parsed) continue;
      const workload = parsed.upstreamPort === undefined ? undefined : byPort.get(parsed.upstreamPort);
      this.requests.inc({
        host: parsed.host,
        namespace: workload?.namespace ?? "",
        deployment: workload?.deployment ?? "",
        track: workload?.track ?? "none",
        code: parsed.status,
      });
    }
  }
}
