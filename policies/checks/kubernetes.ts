/** Reading Kubernetes objects (as resource properties) for the checks. */
import { rollgateLabels } from "../../components/labels";
import { list, type Props, record, stringMap, text } from "./values";

/** Resource type tokens of the Kubernetes kinds the policies look at. */
export const k8sTypes = {
  namespace: "kubernetes:core/v1:Namespace",
  pod: "kubernetes:core/v1:Pod",
  service: "kubernetes:core/v1:Service",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  configMap: "kubernetes:core/v1:ConfigMap",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** Where each workload kind keeps its pod spec. */
const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
  [k8sTypes.pod]: ["spec"],
  [k8sTypes.deployment]: ["spec", "template", "spec"],
  [k8sTypes.statefulSet]: ["spec", "template", "spec"],
  [k8sTypes.daemonSet]: ["spec", "template", "spec"],
  [k8sTypes.replicaSet]: ["spec", "template", "spec"],
  [k8sTypes.job]: ["spec", "template", "spec"],
  [k8sTypes.cronJob]: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Every kind that runs pods. */
export const workloadTypes: readonly string[] = Object.keys(podSpecPaths);

/** Workloads that keep running (probes and replicas make sense for them; Jobs finish). */
export const longRunningWorkloadTypes: readonly string[] = [
  k8sTypes.pod,
  k8sTypes.deployment,
  k8sTypes.statefulSet,
  k8sTypes.daemonSet,
  k8sTypes.replicaSet,
];

/** Workloads whose replica count is set in `spec.replicas`. */
export const replicatedWorkloadTypes: readonly string[] = [k8sTypes.deployment, k8sTypes.statefulSet];

function at(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => record(current)[key], value);
}

/** The pod spec of a workload, or `undefined` for other kinds. */
export function podSpecOf(type: string, props: Props): Props | undefined {
  const path = podSpecPaths[type];
  return path === undefined ? undefined : record(at(props, path));
}

/** The pod template's metadata of a workload (the object itself for a Pod). */
export function podMetadataOf(type: string, props: Props): Props {
  const path = podSpecPaths[type];
  if (path === undefined) {
    return {};
  }
  return record(at(props, [...path.slice(0, -1), "metadata"]));
}

export type ContainerKind = "container" | "init container" | "ephemeral container";

export interface ContainerRef {
  readonly kind: ContainerKind;
  readonly name: string;
  readonly spec: Props;
}

const containerFields: ReadonlyArray<readonly [string, ContainerKind]> = [
  ["containers", "container"],
  ["initContainers", "init container"],
  ["ephemeralContainers", "ephemeral container"],
];

/** Containers of a pod spec, limited to `kinds` (all by default). */
export function containersOf(
  podSpec: Props,
  kinds: readonly ContainerKind[] = ["container", "init container", "ephemeral container"],
): ContainerRef[] {
  const result: ContainerRef[] = [];
  for (const [field, kind] of containerFields) {
    if (!kinds.includes(kind)) {
      continue;
    }
    list(podSpec[field]).forEach((entry, index) => {
      const spec = record(entry);
      result.push({ kind, name: text(spec.name) ?? `#${index}`, spec });
    });
  }
  return result;
}

/** How messages name a container: `container "web"`. */
export function describeContainer(container: ContainerRef): string {
  return `${container.kind} "${container.name}"`;
}

export function labelsOf(props: Props): Readonly<Record<string, string>> {
  return stringMap(record(props.metadata).labels);
}

export function annotationsOf(props: Props): Readonly<Record<string, string>> {
  return stringMap(record(props.metadata).annotations);
}

export function nameOf(props: Props): string | undefined {
  return text(record(props.metadata).name);
}

/** The object's namespace; objects without one live in `default`. */
export function namespaceOf(props: Props): string {
  return text(record(props.metadata).namespace) ?? "default";
}

/** The `rollgate.dev/environment` label of an object, if any. */
export function environmentLabelOf(props: Props): string | undefined {
  return labelsOf(props)[rollgateLabels.environment];
}

/** The `rollgate.dev/track` of a workload, from its own labels or its pod template's. */
export function trackOf(type: string, props: Props): string | undefined {
  return labelsOf(props)[rollgateLabels.track] ?? stringMap(podMetadataOf(type, props).labels)[rollgateLabels.track];
}

/**
 * Whether a label selector (`matchLabels` and `matchExpressions`) selects
 * objects with `labels`. An empty selector selects everything, as in
 * Kubernetes.
 */
export function selectorMatches(selector: Props, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = stringMap(selector.matchLabels);
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) {
    return false;
  }
  return list(selector.matchExpressions).every((entry) => {
    const expression = record(entry);
    const key = text(expression.key) ?? "";
    const values = list(expression.values).filter((v): v is string => typeof v === "string");
    const value = labels[key];
    switch (expression.operator) {
      case "In":
        return value !== undefined && values.includes(value);
      case "NotIn":
        return value === undefined || !values.includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
}
