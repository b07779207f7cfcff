import { beforeEach, describe, expect, it } from "vitest";
import type { WebServiceArgs } from "../../components/webService";
import { at, installMocks, MockedResources, named, ofType, RegisteredResource, types, valueOf } from "../setup/pulumiMocks";

const baseArgs: WebServiceArgs = {
  app: "shop",
  track: "stable",
  namespace: "shop-staging",
  image: "ghcr.io/rollgate/shop:1.4.2",
};

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: Partial<WebServiceArgs> = {}) {
  const { WebService } = await import("../../components/webService");
  const web = new WebService("shop-stable", { ...baseArgs, ...args });
  const resources = await mocks.settle();
  return {
    web,
    resources,
    deployment: named(resources, "shop-stable-deployment"),
    service: named(resources, "shop-stable-service"),
  };
}

function container(deployment: RegisteredResource): Record<string, unknown> {
  const containers = at(deployment.inputs, "spec.template.spec.containers") as Record<string, unknown>[];
  expect(containers).toHaveLength(1);
  return containers[0] as Record<string, unknown>;
}

describe("WebService", () => {
  it("creates one Deployment and one Service named <app>-<track>", async () => {
    const { resources, deployment, service } = await render();

    expect(ofType(resources, types.deployment)).toHaveLength(1);
    expect(ofType(resources, types.service)).toHaveLength(1);
    expect(at(deployment.inputs, "metadata.name")).toBe("shop-stable");
    expect(at(service.inputs, "metadata.name")).toBe("shop-stable");
    expect(at(service.inputs, "metadata.namespace")).toBe("shop-staging");
  });

  it("lets voluntary disruptions take at most one of its pods at a time", async () => {
    const { resources, deployment } = await render();

    const budget = named(resources, "shop-stable-pdb");
    expect(at(budget.inputs, "metadata.name")).toBe("shop-stable");
    expect(at(budget.inputs, "spec")).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: at(deployment.inputs, "spec.selector.matchLabels") },
    });
  });

  it("registers under the rollgate:app:WebService type token", async () => {
    const { resources } = await render();

    const component = named(resources, "shop-stable");
    expect(component.type).toBe("rollgate:app:WebService");
    expect(component.custom).toBe(false);
  });

  it("selects pods by app and track so stable and canary pods stay apart", async () => {
    const stable = await render();
    mocks = await installMocks();
    const canary = await render({ track: "canary" });

    const stableSelector = at(stable.deployment.inputs, "spec.selector.matchLabels");
    const canarySelector = at(canary.deployment.inputs, "spec.selector.matchLabels");
    expect(stableSelector).toEqual({ "app.kubernetes.io/name": "shop", "rollgate.dev/track": "stable" });
    expect(canarySelector).toEqual({ "app.kubernetes.io/name": "shop", "rollgate.dev/track": "canary" });
    expect(at(canary.deployment.inputs, "metadata.name")).toBe("shop-canary");
  });

  it("gives the Service the same selector as the Deployment's pods", async () => {
    const { deployment, service } = await render();

    expect(at(service.inputs, "spec.selector")).toEqual(at(deployment.inputs, "spec.selector.matchLabels"));
    expect(at(service.inputs, "spec.ports")).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
  });

  it("labels pods with the recommended labels, the track and the image version", async () => {
    const { deployment } = await render({ labels: { "rollgate.dev/environment": "staging" } });

    expect(at(deployment.inputs, "spec.template.metadata.labels")).toEqual({
      "app.kubernetes.io/name": "shop",
      "app.kubernetes.io/instance": "shop-stable",
      "app.kubernetes.io/version": "1.4.2",
      "app.kubernetes.io/component": "web",
      "app.kubernetes.io/part-of": "shop",
      "app.kubernetes.io/managed-by": "rollgate",
      "rollgate.dev/track": "stable",
      "rollgate.dev/environment": "staging",
    });
  });

  it("runs as a non-root user with a read-only root filesystem and no capabilities", async () => {
    const { deployment } = await render();

    expect(at(deployment.inputs, "spec.template.spec.securityContext")).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
    });
    expect(container(deployment).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(at(deployment.inputs, "spec.template.spec.automountServiceAccountToken")).toBe(false);
  });

  it("probes readiness, liveness and startup on /healthz by default", async () => {
    const { deployment } = await render();

    const app = container(deployment);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      expect(at(app, `${probe}.httpGet`)).toEqual({ path: "/healthz", port: "http" });
    }
  });

  it("probes the configured health path", async () => {
    const { deployment } = await render({ healthPath: "/ready" });

    expect(at(container(deployment), "readinessProbe.httpGet.path")).toBe("/ready");
    expect(at(container(deployment), "startupProbe.httpGet.path")).toBe("/ready");
  });

  it("sets default resource requests and limits", async () => {
    const { deployment } = await render();

    expect(container(deployment).resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
  });

  it("keeps the defaults the caller does not override", async () => {
    const { deployment } = await render({ resources: { limits: { memory: "1Gi" } } });

    expect(container(deployment).resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "1Gi" },
    });
  });

  it("uses the image, replicas and port it is given", async () => {
    const { deployment } = await render({ image: "ghcr.io/rollgate/shop:2.0.0", replicas: 3, port: 9090 });

    expect(at(deployment.inputs, "spec.replicas")).toBe(3);
    expect(container(deployment).image).toBe("ghcr.io/rollgate/shop:2.0.0");
    expect(container(deployment).ports).toEqual([{ name: "http", containerPort: 9090, protocol: "TCP" }]);
  });

  it("sets PORT and ROLLGATE_TRACK before the caller's variables, sorted by name", async () => {
    const { deployment } = await render({ env: { ZONE: "eu", LOG_LEVEL: "debug" } });

    expect(container(deployment).env).toEqual([
      { name: "PORT", value: "8080" },
      { name: "ROLLGATE_TRACK", value: "stable" },
      { name: "LOG_LEVEL", value: "debug" },
      { name: "ZONE", value: "eu" },
    ]);
  });

  it("puts annotations on the Deployment and its pod template", async () => {
    const { deployment } = await render({ annotations: { "rollgate.dev/release-id": "rel-42" } });

    expect(at(deployment.inputs, "metadata.annotations")).toEqual({ "rollgate.dev/release-id": "rel-42" });
    expect(at(deployment.inputs, "spec.template.metadata.annotations")).toEqual({ "rollgate.dev/release-id": "rel-42" });
  });

  it("puts deployment annotations on the Deployment only, so recording them restarts no pods", async () => {
    const { deployment } = await render({ deploymentAnnotations: { "rollgate.dev/deployed-by": "ci" } });

    expect(at(deployment.inputs, "metadata.annotations")).toEqual({ "rollgate.dev/deployed-by": "ci" });
    expect(at(deployment.inputs, "spec.template.metadata.annotations")).toEqual({});
  });

  it("rolls out without taking ready pods away", async () => {
    const { deployment } = await render();

    expect(at(deployment.inputs, "spec.strategy.rollingUpdate.maxUnavailable")).toBe(0);
  });

  it("exposes the Service name, port and image as outputs", async () => {
    const { web } = await render();

    expect(await valueOf(web.serviceName)).toBe("shop-stable");
    expect(await valueOf(web.port)).toBe(8080);
    expect(await valueOf(web.image)).toBe("ghcr.io/rollgate/shop:1.4.2");
    expect(await valueOf(web.namespace)).toBe("shop-staging");
  });

  describe("validation", () => {
    const cases: [string, Partial<WebServiceArgs>, string][] = [
      ["an app name that is not a DNS label", { app: "Shop_App" }, "`app`"],
      ["an app name starting with a digit", { app: "1shop" }, "`app`"],
      ["an app name too long for <app>-preview", { app: "a".repeat(56) }, "`app`"],
      ["an image that is not a reference", { image: "not an image" }, "`image`"],
      ["a port of 0", { port: 0 }, "`port`"],
      ["a fractional replica count", { replicas: 1.5 }, "`replicas`"],
      ["a relative health path", { healthPath: "healthz" }, "`healthPath`"],
      ["an environment variable it sets itself", { env: { PORT: "1" } }, "`env`"],
      ["an invalid environment variable name", { env: { "bad-name": "1" } }, "`env`"],
    ];

    it.each(cases)("rejects %s, naming the argument", async (_case, args, argument) => {
      const { WebService } = await import("../../components/webService");

      const build = () => new WebService("shop-stable", { ...baseArgs, ...args });

      expect(build).toThrow(argument);
    });

    it("lists every bad argument in one error", async () => {
      const { WebService } = await import("../../components/webService");

      const build = () => new WebService("web", { ...baseArgs, port: 70000, replicas: -1 });

      expect(build).toThrow(/`replicas`.*`port`|`port`.*`replicas`/);
    });

    it("creates nothing when the arguments are invalid", async () => {
      const { WebService } = await import("../../components/webService");

      expect(() => new WebService("web", { ...baseArgs, port: 0 })).toThrow();

      expect(await mocks.settle()).toEqual([]);
    });
  });
});
