/**
 * What the local data plane should run and route, derived from the cluster
 * objects: a pure function, so it is tested without a cluster.
 *
 * - A **workload** stands in for the Ready pods of one Deployment whose
 *   container runs the sample app's image (one local process per Deployment).
 * - A **route** is an HTTPRoute's hostnames and its weighted backends, each
 *   backend Service resolved to the workloads its selector matches.
 */
import { recommendedLabels, rollgateLabels } from "../../components/labels";
import type { BackendRef, ClusterObjects, Deployment } from "./clusterObjects";

export interface Workload {
  /** `namespace/deployment`. */
  readonly key: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly image: string;
  readonly track: string;
  readonly app: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

export interface RouteBackend {
  readonly workload: string;
  readonly weight: number;
}

export interface Route {
  /** `namespace/name`. */
  readonly key: string;
  readonly hostnames: readonly string[];
  readonly backends: readonly RouteBackend[];
}

export interface Topology {
  readonly workloads: readonly Workload[];
  readonly routes: readonly Route[];
}

/** `ghcr.io/rollgate/sample-app` matches `ghcr.io/rollgate/sample-app:1.1.0` and `…@sha256:…`, not `…/sample-app-2`. */
export function runsImage(image: string, repository: string): boolean {
  return image === repository || image.startsWith(`${repository}:`) || image.startsWith(`${repository}@`);
}

function workloadOf(deployment: Deployment, repository: string): Workload | undefined {
  const { namespace, name } = deployment.metadata ?? {};
  const image = deployment.spec?.template?.spec?.containers?.[0]?.image;
  if (!namespace || !name || !image || !runsImage(image, repository) || (deployment.spec?.replicas ?? 1) < 1) return undefined;
  const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
  return {
    key: `${namespace}/${name}`,
    namespace,
    deployment: name,
    image,
    track: podLabels[rollgateLabels.track] ?? "stable",
    app: podLabels[recommendedLabels.name] ?? name,
    podLabels,
  };
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

export function topologyOf(objects: ClusterObjects, repository: string): Topology {
  const workloads = objects.deployments.map((deployment) => workloadOf(deployment, repository)).filter((w): w is Workload => w !== undefined);
  const servicesByKey = new Map(objects.services.map((service) => [`${service.metadata?.namespace}/${service.metadata?.name}`, service]));
  const behind = (namespace: string, ref: BackendRef): Workload[] => {
    if ((ref.kind ?? "Service") !== "Service" || !ref.name) return [];
    const service = servicesByKey.get(`${ref.namespace ?? namespace}/${ref.name}`);
    const selector = service?.spec?.selector ?? {};
    return workloads.filter((workload) => workload.namespace === (ref.namespace ?? namespace) && selects(selector, workload.podLabels));
  };
  const routes: Route[] = [];
  for (const route of objects.routes) {
    const { namespace, name } = route.metadata ?? {};
    const hostnames = route.spec?.hostnames ?? [];
    if (!namespace || !name || hostnames.length === 0) continue;
    const backends: RouteBackend[] = [];
    for (const ref of route.spec?.rules?.[0]?.backendRefs ?? []) {
      const targets = behind(namespace, ref);
      // Gateway API: a backend's weight (default 1) is shared by the endpoints behind it.
      for (const target of targets) backends.push({ workload: target.key, weight: (ref.weight ?? 1) / targets.length });
    }
    routes.push({ key: `${namespace}/${name}`, hostnames, backends });
  }
  return { workloads, routes };
}
