import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { clusterScopedRules, namespacedRules, type RbacRule } from "./rbacRules";
import type { ServiceScope } from "./scope";

export interface RbacArgs {
  /** Namespaces the service deploys releases into (staging, production): each gets a RoleBinding. */
  readonly managedNamespaces: readonly string[];
  /** Whether the service creates preview namespaces, which needs the namespaced rules cluster-wide. */
  readonly previews: boolean;
}

export interface Rbac {
  readonly serviceAccountName: pulumi.Output<string>;
}

const rbacGroup = "rbac.authorization.k8s.io";

/** The service account and exactly the rules of `rbacRules.ts`, bound as narrowly as the config allows. */
export function createRbac(scope: ServiceScope, args: RbacArgs): Rbac {
  const opts = { parent: scope.parent };
  const account = new k8s.core.v1.ServiceAccount(
    `${scope.name}-service-account`,
    { metadata: { name: scope.objectName, namespace: scope.namespace, labels: scope.labels } },
    opts,
  );
  const subjects = [{ kind: "ServiceAccount", name: account.metadata.name, namespace: scope.namespace }];
  const clusterRole = (role: string, rules: readonly RbacRule[]) =>
    new k8s.rbac.v1.ClusterRole(
      `${scope.name}-${role}`,
      { metadata: { name: `${scope.objectName}-${role}`, labels: scope.labels }, rules: rules.map(toPolicyRule) },
      opts,
    );
  const roleRef = (role: k8s.rbac.v1.ClusterRole) => ({ apiGroup: rbacGroup, kind: "ClusterRole", name: role.metadata.name });

  const namespaces = clusterRole("namespaces", clusterScopedRules);
  new k8s.rbac.v1.ClusterRoleBinding(
    `${scope.name}-namespaces`,
    { metadata: { name: `${scope.objectName}-namespaces`, labels: scope.labels }, roleRef: roleRef(namespaces), subjects },
    opts,
  );

  // A ClusterRole holds the namespaced rules so one definition serves both kinds of binding below.
  const workloads = clusterRole("workloads", namespacedRules);
  for (const namespace of args.managedNamespaces) {
    new k8s.rbac.v1.RoleBinding(
      `${scope.name}-workloads-${namespace}`,
      { metadata: { name: `${scope.objectName}-workloads`, namespace, labels: scope.labels }, roleRef: roleRef(workloads), subjects },
      opts,
    );
  }
  if (args.previews) {
    // A preview's namespace is created by the service at run time, so no RoleBinding can be there in advance.
    new k8s.rbac.v1.ClusterRoleBinding(
      `${scope.name}-workloads`,
      { metadata: { name: `${scope.objectName}-workloads`, labels: scope.labels }, roleRef: roleRef(workloads), subjects },
      opts,
    );
  }
  return { serviceAccountName: account.metadata.name };
}

function toPolicyRule(rule: RbacRule): k8s.types.input.rbac.v1.PolicyRule {
  return { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
}
