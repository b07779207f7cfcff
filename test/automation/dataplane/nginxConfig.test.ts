import { describe, expect, it } from "vitest";
import { renderNginxConfig } from "../../../automation/dataplane/nginxConfig";

const settings = { port: 18080, dir: "/state/gateway" };
const ports = new Map([
  ["shop/web-stable", 40001],
  ["shop/web-canary", 40002],
]);

describe("renderNginxConfig", () => {
  it("routes each route's hostnames to a weighted upstream of its ready processes", () => {
    const config = renderNginxConfig(
      [{ key: "shop/web", hostnames: ["web.example.test", "*.web.example.test"], backends: [{ workload: "shop/web-stable", weight: 95 }, { workload: "shop/web-canary", weight: 5 }] }],
      ports,
      settings,
    );

    expect(config).toContain("upstream route_0 {\n    server 127.0.0.1:40001 weight=95;\n    server 127.0.0.1:40002 weight=5;");
    expect(config).toContain("server_name web.example.test *.web.example.test;");
    expect(config).toContain("proxy_pass http://route_0;");
    expect(config).toContain("worker_processes 1;");
  });

  it("leaves weight-0 and not-yet-ready backends out, and answers 503 when none is left", () => {
    const config = renderNginxConfig(
      [
        { key: "shop/web", hostnames: ["web.example.test"], backends: [{ workload: "shop/web-stable", weight: 100 }, { workload: "shop/web-canary", weight: 0 }] },
        { key: "shop/new", hostnames: ["new.example.test"], backends: [{ workload: "shop/starting", weight: 100 }] },
      ],
      ports,
      settings,
    );

    expect(config).not.toContain("40002");
    expect(config).toContain('return 503 "no ready backend for route shop/new\\n";');
  });

  it("scales fractional weights to whole nginx weights, keeping the ratio", () => {
    const config = renderNginxConfig([{ key: "a/b", hostnames: ["b.test"], backends: [{ workload: "shop/web-stable", weight: 0.5 }, { workload: "shop/web-canary", weight: 1.5 }] }], ports, settings);

    expect(config).toContain("server 127.0.0.1:40001 weight=1;\n    server 127.0.0.1:40002 weight=3;");
  });

  it("refuses a hostname that would inject nginx syntax", () => {
    expect(() => renderNginxConfig([{ key: "a/b", hostnames: ["x; include /etc/passwd"], backends: [] }], ports, settings)).toThrow(/invalid hostname/);
  });
});
