/**
 * The reviewed list of what Rollgate's service account may do: the one home
 * of these rules. The component renders them and a test compares them with
 * this list, so every widening is a reviewed diff here.
 *
 * Derived from what the in-cluster service touches:
 * - the Pulumi program it runs (`infra/program.ts` and `components/`): the
 *   objects it creates, plus what the Kubernetes provider reads while it
 *   waits for them to become ready (pods, replica sets, endpoints, events);
 * - its own cluster reads (`automation/cluster/kubeApi.ts`): list and delete
 *   namespaces (the preview reaper), read deployments (rollout waits) and read
 *   the routers' objects (HTTPRoute, VirtualService, Ingress).
 * The dataplane (`automation/dataplane/`) is not part of the in-cluster service.
 */

/** One PolicyRule, spelled out: no wildcard verbs, groups or resources. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Verbs the Pulumi Kubernetes provider needs to manage an object's whole life (server-side diff, create, update, delete). */
export const manageVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;
/** Verbs for objects the service and the provider only read. */
export const readVerbs = ["get", "list", "watch"] as const;

/**
 * Cluster-scoped rules: only namespaces. Previews create their namespace at
 * run time and the reaper deletes expired ones, so this cannot be namespaced.
 */
export const clusterScopedRules: readonly RbacRule[] = [{ apiGroups: [""], resources: ["namespaces"], verbs: manageVerbs }];

/**
 * Rules inside the namespaces Rollgate deploys to. Bound with a RoleBinding in
 * each managed (staging, production) namespace; bound cluster-wide only when
 * previews are on, because a preview's namespace does not exist until the
 * service creates it, so no RoleBinding could be there beforehand.
 */
export const namespacedRules: readonly RbacRule[] = [
  // The app's workload (WebService), its budget, and the preview namespace's quota and limits.
  { apiGroups: [""], resources: ["services", "configmaps", "resourcequotas", "limitranges"], verbs: manageVerbs },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: manageVerbs },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: manageVerbs },
  // Preview isolation and the nginx router's Ingresses.
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"], verbs: manageVerbs },
  // The in-cluster routers' objects.
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: manageVerbs },
  { apiGroups: ["networking.istio.io"], resources: ["virtualservices", "destinationrules"], verbs: manageVerbs },
  { apiGroups: ["elbv2.k8s.aws"], resources: ["targetgroupbindings"], verbs: manageVerbs },
  // Monitoring (`rollgate:prometheusOperator`).
  { apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors", "prometheusrules"], verbs: manageVerbs },
  // What the provider reads while it waits for Deployments, Services and Ingresses to be ready.
  { apiGroups: [""], resources: ["pods", "endpoints", "events", "persistentvolumeclaims"], verbs: readVerbs },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: readVerbs },
];
