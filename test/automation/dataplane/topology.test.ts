import { describe, expect, it } from "vitest";
import type { ClusterObjects } from "../../../automation/dataplane/clusterObjects";
import { runsImage, topologyOf } from "../../../automation/dataplane/topology";

const repository = "ghcr.io/rollgate/sample-app";

function deployment(namespace: string, name: string, image: string, labels: Record<string, string>, replicas = 1) {
  return { metadata: { namespace, name }, spec: { replicas, template: { metadata: { labels }, spec: { containers: [{ image }] } } } };
}

const objects: ClusterObjects = {
  deployments: [
    deployment("shop", "web-stable", `${repository}:1.0.0`, { app: "web", "rollgate.dev/track": "stable", "app.kubernetes.io/name": "web" }),
    deployment("shop", "web-canary", `${repository}:1.1.0-errors`, { app: "web", "rollgate.dev/track": "canary" }),
    deployment("shop", "db", "postgres:15", { app: "db" }),
    deployment("shop", "scaled-down", `${repository}:1.0.0`, { app: "old" }, 0),
  ],
  services: [
    { metadata: { namespace: "shop", name: "web-stable" }, spec: { selector: { app: "web", "rollgate.dev/track": "stable" } } },
    { metadata: { namespace: "shop", name: "web-canary" }, spec: { selector: { app: "web", "rollgate.dev/track": "canary" } } },
    { metadata: { namespace: "shop", name: "web" }, spec: { selector: { app: "web" } } },
  ],
  routes: [
    {
      metadata: { namespace: "shop", name: "web" },
      spec: { hostnames: ["web.example.test"], rules: [{ backendRefs: [{ name: "web-stable", weight: 75 }, { name: "web-canary", weight: 25 }] }] },
    },
    { metadata: { namespace: "shop", name: "both" }, spec: { hostnames: ["both.example.test"], rules: [{ backendRefs: [{ name: "web" }] }] } },
    { metadata: { namespace: "shop", name: "catch-all" }, spec: { rules: [{ backendRefs: [{ name: "web" }] }] } },
  ],
  ingresses: [],
};

describe("topologyOf", () => {
  it("runs a workload per Deployment of the sample app's image, with its track and app", () => {
    const { workloads } = topologyOf(objects, repository);

    expect(workloads.map((w) => [w.key, w.track, w.app, w.image])).toEqual([
      ["shop/web-stable", "stable", "web", `${repository}:1.0.0`],
      ["shop/web-canary", "canary", "web-canary", `${repository}:1.1.0-errors`],
    ]);
  });

  it("resolves each route's backends through the Services' selectors, sharing a backend's weight among its workloads", () => {
    const { routes } = topologyOf(objects, repository);

    expect(routes).toEqual([
      {
        key: "shop/web",
        hostnames: ["web.example.test"],
        backends: [
          { workload: "shop/web-stable", weight: 75 },
          { workload: "shop/web-canary", weight: 25 },
        ],
      },
      {
        key: "shop/both",
        hostnames: ["both.example.test"],
        backends: [
          { workload: "shop/web-stable", weight: 0.5 },
          { workload: "shop/web-canary", weight: 0.5 },
        ],
      },
    ]);
  });
});

describe("runsImage", () => {
  it.each([
    [`${repository}:1.0.0`, true],
    [`${repository}@sha256:${"a".repeat(64)}`, true],
    [repository, true],
    [`${repository}-2:1.0.0`, false],
    ["docker.io/library/nginx:1", false],
  ])("%s → %s", (image, expected) => {
    expect(runsImage(image, repository)).toBe(expected);
  });
});
