/** Pure checks of workload pod specs; each returns violation messages. */
import { imagePinningProblems, type ImagePinning } from "./images";
import { containersOf, describeContainer } from "./kubernetes";
import { isSet, type Props, record, text } from "./values";

const resourceFields = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "cpu"],
  ["limits", "memory"],
] as const;

/** Every container and init container declares CPU and memory requests and limits. */
export function resourceProblems(podSpec: Props): string[] {
  // Ephemeral containers cannot declare resources.
  return containersOf(podSpec, ["container", "init container"]).flatMap((container) => {
    const resources = record(container.spec.resources);
    const missing = resourceFields
      .filter(([section, name]) => !isSet(record(resources[section])[name]))
      .map(([section, name]) => `${section}.${name}`);
    return missing.length === 0 ? [] : [`${describeContainer(container)} must declare resources ${missing.join(", ")}`];
  });
}

const probeHandlers = ["httpGet", "tcpSocket", "exec", "grpc"] as const;

function hasProbe(probe: unknown): boolean {
  const spec = record(probe);
  return probeHandlers.some((handler) => spec[handler] !== undefined && spec[handler] !== null);
}

/** Every (non-init) container has readiness and liveness probes with a handler. */
export function probeProblems(podSpec: Props): string[] {
  return containersOf(podSpec, ["container"]).flatMap((container) =>
    (["readinessProbe", "livenessProbe"] as const)
      .filter((probe) => !hasProbe(container.spec[probe]))
      .map((probe) => `${describeContainer(container)} must declare a ${probe} (httpGet, tcpSocket, exec or grpc)`),
  );
}

/** Every container's image is pinned: not untagged, not `:latest`, and by digest when required. */
export function imageProblems(podSpec: Props, options: ImagePinning): string[] {
  return containersOf(podSpec).flatMap((container) => {
    const image = text(container.spec.image);
    if (image === undefined) {
      return [`${describeContainer(container)} must declare an image`];
    }
    return imagePinningProblems(image, options).map(
      (problem) => `${describeContainer(container)} image "${image}" ${problem}`,
    );
  });
}

/**
 * Every container runs as non-root: `runAsNonRoot: true` on the container or,
 * when the container does not set it, on the pod; and no `runAsUser: 0`.
 */
export function runAsRootProblems(podSpec: Props): string[] {
  const pod = record(podSpec.securityContext);
  return containersOf(podSpec).flatMap((container) => {
    const own = record(container.spec.securityContext);
    const nonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
    const user = own.runAsUser ?? pod.runAsUser;
    const problems: string[] = [];
    if (nonRoot !== true) {
      problems.push(`${describeContainer(container)} must set securityContext.runAsNonRoot: true (on the container or the pod)`);
    }
    if (user === 0) {
      problems.push(`${describeContainer(container)} must not run as user 0 (root)`);
    }
    return problems;
  });
}

/** No container is privileged. */
export function privilegedProblems(podSpec: Props): string[] {
  return containersOf(podSpec)
    .filter((container) => record(container.spec.securityContext).privileged === true)
    .map((container) => `${describeContainer(container)} must not be privileged`);
}

/** The pod does not share the node's network namespace. */
export function hostNetworkProblems(podSpec: Props): string[] {
  return podSpec.hostNetwork === true ? ["pod spec must not use hostNetwork: true"] : [];
}

/** The labels among `required` that `labels` lacks (or has empty). */
export function missingLabels(labels: Readonly<Record<string, string>>, required: readonly string[]): string[] {
  return required.filter((key) => !isSet(labels[key]));
}

/**
 * A replicated workload runs at least `minReplicas`; an unset `spec.replicas`
 * means 1, as in Kubernetes.
 */
export function replicaProblems(props: Props, minReplicas: number): string[] {
  const replicas = record(props.spec).replicas ?? 1;
  if (typeof replicas !== "number") {
    return [`spec.replicas must be a number (got ${JSON.stringify(replicas)})`];
  }
  return replicas >= minReplicas ? [] : [`spec.replicas must be at least ${minReplicas} (got ${replicas})`];
}
