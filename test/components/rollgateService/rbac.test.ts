import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { clusterScopedRules, namespacedRules, type RbacRule } from "../../../components/rollgateService/rbacRules";
import { at, installMocks, MockedResources, named, ofType, type RegisteredResource } from "../../setup/pulumiMocks";

const clusterRoleBindingType = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const roleBindingType = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: { managedNamespaces?: readonly string[]; previews?: boolean } = {}) {
  const { RollgateService } = await import("../../../components/rollgateService");
  new RollgateService("rollgate", {
    namespace: "rollgate-system",
    image: "ghcr.io/rollgate/rollgate:0.1.0",
    hostnames: ["rollgate.example.com"],
    gateway: { name: "edge", namespace: "gateway-system" },
    secrets: { databaseUrl: pulumi.secret("postgres://x"), configPassphrase: pulumi.secret("p"), apiTokens: pulumi.secret("{}") },
    ...args,
  });
  return mocks.settle();
}

const rulesOf = (role: RegisteredResource) => at(role.inputs, "rules");
const plain = (rules: readonly RbacRule[]) => rules.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] }));

describe("RollgateService RBAC", () => {
  it("grants exactly the reviewed rules", async () => {
    const resources = await render();

    expect(rulesOf(named(resources, "rollgate-namespaces"))).toEqual(plain(clusterScopedRules));
    expect(rulesOf(named(resources, "rollgate-workloads"))).toEqual(plain(namespacedRules));
  });

  it("names every verb, group and resource: no wildcards", () => {
    for (const rule of [...clusterScopedRules, ...namespacedRules]) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain("*");
    }
  });

  it("keeps the cluster-scoped rules to namespaces", () => {
    expect(clusterScopedRules.flatMap((rule) => rule.resources)).toEqual(["namespaces"]);
  });

  it("never grants access to secrets, RBAC objects or pod exec", () => {
    const resources = [...clusterScopedRules, ...namespacedRules].flatMap((rule) => rule.resources);
    const groups = [...clusterScopedRules, ...namespacedRules].flatMap((rule) => rule.apiGroups);

    expect(resources).not.toContain("secrets");
    expect(resources).not.toContain("pods/exec");
    expect(groups).not.toContain("rbac.authorization.k8s.io");
  });

  it("binds the namespaced rules in each managed namespace to the service account", async () => {
    const resources = await render({ managedNamespaces: ["shop-staging", "shop-production"], previews: false });

    const bindings = ofType(resources, roleBindingType);
    expect(bindings.map((binding) => at(binding.inputs, "metadata.namespace")).sort()).toEqual(["shop-production", "shop-staging"]);
    for (const binding of bindings) {
      expect(at(binding.inputs, "roleRef")).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "rollgate-workloads" });
      expect(at(binding.inputs, "subjects")).toEqual([{ kind: "ServiceAccount", name: "rollgate", namespace: "rollgate-system" }]);
    }
  });

  it("binds the namespaced rules cluster-wide only when previews are on", async () => {
    const withoutPreviews = await render({ previews: false });
    mocks = await installMocks();
    const withPreviews = await render({ previews: true });

    const names = (resources: readonly RegisteredResource[]) => ofType(resources, clusterRoleBindingType).map((binding) => binding.name).sort();
    expect(names(withoutPreviews)).toEqual(["rollgate-namespaces"]);
    expect(names(withPreviews)).toEqual(["rollgate-namespaces", "rollgate-workloads"]);
  });
});
