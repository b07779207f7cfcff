import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import type { RollgateServiceArgs } from "../../../components/rollgateService";
import { at, installMocks, isSecretInput, MockedResources, named, ofType, RegisteredResource, types } from "../../setup/pulumiMocks";

const secretValues = {
  databaseUrl: "postgres://rollgate:db-password@db:5432/rollgate",
  configPassphrase: "passphrase-value",
  apiTokens: '{"tokens":[]}',
  githubToken: "ghp_token_value",
};

const baseArgs = (): RollgateServiceArgs => ({
  namespace: "rollgate-system",
  image: "ghcr.io/rollgate/rollgate:0.1.0",
  hostnames: ["rollgate.example.com"],
  gateway: { name: "edge", namespace: "gateway-system" },
  secrets: {
    databaseUrl: pulumi.secret(secretValues.databaseUrl),
    configPassphrase: pulumi.secret(secretValues.configPassphrase),
    apiTokens: pulumi.secret(secretValues.apiTokens),
    githubToken: pulumi.secret(secretValues.githubToken),
  },
  managedNamespaces: ["shop-staging", "shop-production"],
});

const rbacTypes = {
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  secret: "kubernetes:core/v1:Secret",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
};

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: Partial<RollgateServiceArgs> = {}) {
  const { RollgateService } = await import("../../../components/rollgateService");
  new RollgateService("rollgate", { ...baseArgs(), ...args });
  const resources = await mocks.settle();
  return { resources, deployment: named(resources, "rollgate-deployment") };
}

function container(deployment: RegisteredResource): Record<string, unknown> {
  const containers = at(deployment.inputs, "spec.template.spec.containers") as Record<string, unknown>[];
  expect(containers).toHaveLength(1);
  return containers[0] as Record<string, unknown>;
}

describe("RollgateService", () => {
  it("registers under the rollgate:platform:RollgateService type token", async () => {
    const { resources } = await render();

    const component = named(resources, "rollgate");
    expect(component.type).toBe("rollgate:platform:RollgateService");
    expect(component.custom).toBe(false);
  });

  it("creates every object the service needs", async () => {
    const { resources } = await render({ prometheusOperator: true });

    const count = (type: string) => ofType(resources, type).length;
    expect(count(types.namespace)).toBe(1);
    expect(count(types.deployment)).toBe(1);
    expect(count(rbacTypes.pdb)).toBe(1);
    expect(count(rbacTypes.serviceAccount)).toBe(1);
    expect(count(rbacTypes.secret)).toBe(1);
    expect(count(types.service)).toBe(1);
    expect(count(types.httpRoute)).toBe(1);
    expect(count(types.networkPolicy)).toBe(1);
    expect(count(types.serviceMonitor)).toBe(1);
    expect(count(types.configMap)).toBe(1);
    expect(count(rbacTypes.clusterRole)).toBe(2);
    expect(count(rbacTypes.clusterRoleBinding)).toBe(2);
    expect(count(rbacTypes.roleBinding)).toBe(2);
  });

  it("leaves the ServiceMonitor out unless the Prometheus Operator is there", async () => {
    const { resources } = await render();

    expect(ofType(resources, types.serviceMonitor)).toHaveLength(0);
  });

  it("runs non-root on a read-only root filesystem without privilege escalation or capabilities", async () => {
    const { deployment } = await render();

    expect(at(deployment.inputs, "spec.template.spec.securityContext.runAsNonRoot")).toBe(true);
    expect(at(container(deployment), "securityContext")).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("probes readiness on /readyz and liveness and startup on /healthz", async () => {
    const { deployment } = await render();

    const app = container(deployment);
    expect(at(app, "readinessProbe.httpGet.path")).toBe("/readyz");
    expect(at(app, "livenessProbe.httpGet.path")).toBe("/healthz");
    expect(at(app, "startupProbe.httpGet.path")).toBe("/healthz");
  });

  it("runs two replicas by default, spread over zones and nodes, at most one disrupted at a time", async () => {
    const { resources, deployment } = await render();

    expect(at(deployment.inputs, "spec.replicas")).toBe(2);
    const spread = at(deployment.inputs, "spec.template.spec.topologySpreadConstraints") as Record<string, unknown>[];
    expect(spread.map((constraint) => constraint.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    const budget = named(resources, "rollgate-pdb");
    expect(at(budget.inputs, "spec")).toEqual({ maxUnavailable: 1, selector: { matchLabels: at(deployment.inputs, "spec.selector.matchLabels") } });
  });

  it("sets requests and limits on the container", async () => {
    const { deployment } = await render();

    expect(at(container(deployment), "resources")).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "2", memory: "1536Mi" },
    });
  });

  it("runs as its own service account", async () => {
    const { resources, deployment } = await render();

    const account = ofType(resources, rbacTypes.serviceAccount)[0];
    expect(at(deployment.inputs, "spec.template.spec.serviceAccountName")).toBe(at(account?.inputs, "metadata.name"));
  });

  it("gives the pod its service account token and no kubeconfig, so the service and the Pulumi provider both use the token", async () => {
    const { deployment } = await render();

    expect(at(deployment.inputs, "spec.template.spec.automountServiceAccountToken")).toBe(true);
    const env = at(container(deployment), "env") as { name: string }[];
    expect(env.map((variable) => variable.name)).not.toContain("KUBECONFIG");
    expect(env.find((variable) => variable.name === "HOME")).toEqual({ name: "HOME", value: "/var/lib/rollgate/home" });
  });

  it("labels every Kubernetes object with the recommended labels", async () => {
    const { resources } = await render();

    for (const resource of resources.filter((r) => r.custom)) {
      expect(at(resource.inputs, "metadata.labels"), resource.name).toMatchObject({
        "app.kubernetes.io/name": "rollgate",
        "app.kubernetes.io/instance": "rollgate",
        "app.kubernetes.io/version": "0.1.0",
        "app.kubernetes.io/part-of": "rollgate",
        "app.kubernetes.io/managed-by": "rollgate",
      });
    }
  });
});

describe("RollgateService secrets", () => {
  it("keeps every credential a secret in the Secret", async () => {
    const { resources } = await render();

    const stringData = at(named(resources, "rollgate-secret").inputs, "stringData");
    expect(isSecretInput(stringData)).toBe(true);
    expect(Object.keys(at(stringData, "value") as object).sort()).toEqual([
      "api-tokens",
      "backend-url",
      "config-passphrase",
      "database-url",
      "github-token",
    ]);
  });

  it("reads credentials from the Secret, never from a plain env value", async () => {
    const { deployment } = await render();

    const env = at(container(deployment), "env") as { name: string; value?: unknown; valueFrom?: unknown }[];
    const plainText = JSON.stringify(env.filter((variable) => variable.value !== undefined));
    for (const value of Object.values(secretValues)) {
      expect(plainText).not.toContain(value);
    }
    const fromSecret = env.filter((variable) => at(variable, "valueFrom.secretKeyRef") !== undefined).map((variable) => variable.name);
    expect(fromSecret.sort()).toEqual(["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "ROLLGATE_DATABASE_URL", "ROLLGATE_GITHUB_TOKEN"]);
  });

  it("mounts the API tokens as a file and points ROLLGATE_TOKENS_FILE at it", async () => {
    const { deployment } = await render();

    const env = at(container(deployment), "env") as { name: string; value?: unknown }[];
    expect(env.find((variable) => variable.name === "ROLLGATE_TOKENS_FILE")?.value).toBe("/etc/rollgate/secrets/tokens.json");
    const volumes = at(deployment.inputs, "spec.template.spec.volumes") as Record<string, unknown>[];
    expect(volumes.find((volume) => volume.name === "secret-files")).toMatchObject({
      secret: { items: [{ key: "api-tokens", path: "tokens.json" }] },
    });
  });
});

describe("RollgateService networking", () => {
  it("publishes only the API and the dashboard through the Gateway", async () => {
    const { resources } = await render();

    const route = ofType(resources, types.httpRoute)[0];
    expect(at(route?.inputs, "spec.parentRefs")).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge", namespace: "gateway-system" },
    ]);
    expect(at(route?.inputs, "spec.hostnames")).toEqual(["rollgate.example.com"]);
    const rules = at(route?.inputs, "spec.rules") as { matches: { path: { value: string } }[] }[];
    expect(rules.flatMap((rule) => rule.matches.map((match) => match.path.value))).toEqual(["/api", "/dashboard"]);
  });

  it("admits traffic only from the Gateway's namespace and Prometheus's", async () => {
    const { resources } = await render({ prometheusOperator: true });

    const policy = ofType(resources, types.networkPolicy)[0];
    const from = at(policy?.inputs, "spec.ingress") as { from: unknown[] }[];
    expect(from[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway-system" } } },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
  });
});

describe("RollgateService arguments", () => {
  it("rejects bad arguments before creating anything, naming each", async () => {
    const { RollgateService } = await import("../../../components/rollgateService");

    const create = () =>
      new RollgateService("rollgate", {
        ...baseArgs(),
        namespace: "Not_A_Label",
        image: "not an image",
        hostnames: [],
        env: { ROLLGATE_DATABASE_URL: "postgres://plain" },
      });

    expect(create).toThrow(/`namespace` must be a DNS label.*`image` must be a container image reference.*`hostnames` must name at least one host.*`env` must not set ROLLGATE_DATABASE_URL/);
    expect(await mocks.settle()).toHaveLength(0);
  });
});
