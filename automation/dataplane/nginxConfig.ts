/**
 * The gateway's nginx configuration for the live routes: one `server` per
 * route (its hostnames), one weighted `upstream` of the local processes
 * behind it. nginx's weighted round robin is smooth and, with one worker,
 * exact, so the gateway's split matches the route's weights request by
 * request. Weight-0 backends are left out (nginx has no weight 0); a route
 * with no weighted backend answers 503.
 */
import { join } from "node:path";
import type { Route } from "./topology";

export interface GatewaySettings {
  readonly port: number;
  /** Where nginx keeps its pid, temp files and access log. */
  readonly dir: string;
}

/** The access log's fields, space-separated: host, upstream address, status, request time (s). */
export const ACCESS_LOG_FORMAT = "$host $upstream_addr $status $request_time";

function hostnamePattern(hostname: string): string {
  // Gateway API wildcards (`*.example.com`) are nginx's leading wildcards as they are.
  if (!/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(hostname)) throw new RangeError(`invalid hostname ${JSON.stringify(hostname)}`);
  return hostname.toLowerCase();
}

/** nginx weights are whole numbers from 1: the route's weights scaled so the smallest kept one is at least 1. */
function nginxWeights(weights: readonly number[]): number[] {
  const positive = weights.filter((weight) => weight > 0);
  const scale = positive.length === 0 ? 1 : Math.max(1, 1 / Math.min(...positive));
  return weights.map((weight) => Math.round(weight * scale));
}

export function renderNginxConfig(routes: readonly Route[], ports: ReadonlyMap<string, number>, settings: GatewaySettings): string {
  const { dir, port } = settings;
  const servers: string[] = [];
  const upstreams: string[] = [];
  routes.forEach((route, index) => {
    const live = route.backends.filter((backend) => backend.weight > 0 && ports.has(backend.workload));
    const names = route.hostnames.map(hostnamePattern).join(" ");
    if (live.length === 0) {
      servers.push(`  server {\n    listen 127.0.0.1:${port};\n    server_name ${names};\n    location / { return 503 "no ready backend for route ${route.key}\\n"; }\n  }`);
      return;
    }
    const weights = nginxWeights(live.map((backend) => backend.weight));
    const members = live.map((backend, i) => `    server 127.0.0.1:${ports.get(backend.workload)} weight=${weights[i]};`);
    upstreams.push(`  upstream route_${index} {\n${members.join("\n")}\n    keepalive 16;\n  }`);
    servers.push(
      `  server {\n    listen 127.0.0.1:${port};\n    server_name ${names};\n    location / {\n      proxy_pass http://route_${index};\n` +
        `      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_set_header Host $host;\n    }\n  }`,
    );
  });
  return `# Written by Rollgate's local data plane from the live HTTPRoutes; rewritten on every change.
worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log stderr warn;
events { worker_connections 1024; }
http {
  log_format gateway '${ACCESS_LOG_FORMAT}';
  access_log ${join(dir, "access.log")} gateway;
  client_body_temp_path ${join(dir, "tmp", "body")};
  proxy_temp_path ${join(dir, "tmp", "proxy")};
  fastcgi_temp_path ${join(dir, "tmp", "fastcgi")};
  uwsgi_temp_path ${join(dir, "tmp", "uwsgi")};
  scgi_temp_path ${join(dir, "tmp", "scgi")};
${upstreams.join("\n")}
  server {
    listen 127.0.0.1:${port} default_server;
    location / { return 404 "no HTTPRoute for this host\\n"; }
  }
${servers.join("\n")}
}
`;
}
