/** Compliant Kubernetes objects as resource properties; tests change one thing at a time. */
import { recommendedLabels, rollgateAnnotations, rollgateLabels } from "../../components/labels";
import { k8sTypes } from "../../policies/checks/kubernetes";
import type { Props, ResourceInput } from "./helpers";

export const digest = `sha256:${"ab12".repeat(16)}`;
export const pinnedImage = `registry.example.com:5000/team/web:1.4.2@${digest}`;

export function container(overrides: Props = {}): Props {
  return {
    name: "web",
    image: pinnedImage,
    resources: {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
    ...overrides,
  };
}

export const appLabels = {
  [recommendedLabels.name]: "web",
  [recommendedLabels.instance]: "web-production",
  [recommendedLabels.managedBy]: "rollgate",
};

export interface WorkloadOptions {
  readonly containers?: readonly Props[];
  readonly initContainers?: readonly Props[];
  /** Extra pod spec fields (securityContext, hostNetwork, ...). */
  readonly podSpec?: Props;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
  readonly replicas?: number;
  readonly namespace?: string;
}

/** A compliant workload of `type` (any kind in k8sTypes that runs pods). */
export function workload(type: string, options: WorkloadOptions = {}): ResourceInput {
  const podLabels = options.podLabels ?? { ...appLabels, [rollgateLabels.track]: "stable" };
  const podSpec = {
    containers: options.containers ?? [container()],
    ...(options.initContainers ? { initContainers: options.initContainers } : {}),
    ...options.podSpec,
  };
  const metadata = {
    name: "web",
    namespace: options.namespace ?? "apps",
    labels: options.labels ?? { ...appLabels, [rollgateLabels.track]: "stable" },
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const template = { metadata: { labels: podLabels }, spec: podSpec };
  const replicas = options.replicas ?? 3;
  const specs: Record<string, Props> = {
    [k8sTypes.pod]: podSpec,
    [k8sTypes.deployment]: { replicas, selector: { matchLabels: podLabels }, template },
    [k8sTypes.statefulSet]: { replicas, serviceName: "web", selector: { matchLabels: podLabels }, template },
    [k8sTypes.daemonSet]: { selector: { matchLabels: podLabels }, template },
    [k8sTypes.replicaSet]: { replicas, selector: { matchLabels: podLabels }, template },
    [k8sTypes.job]: { template },
    [k8sTypes.cronJob]: { schedule: "0 * * * *", jobTemplate: { spec: { template } } },
  };
  const spec = specs[type];
  if (spec === undefined) {
    throw new Error(`no workload fixture for ${type}`);
  }
  const props = type === k8sTypes.pod ? { metadata: { ...metadata, labels: podLabels }, spec } : { metadata, spec };
  return { type, name: "web", props: { apiVersion: "v1", kind: type.split(":").pop(), ...props } };
}

export const deployment = (options: WorkloadOptions = {}): ResourceInput => workload(k8sTypes.deployment, options);

export const previewCreatedAt = "2025-06-01T12:00:00Z";
export const previewExpiresAt = "2025-06-03T12:00:00Z";

/** A compliant preview namespace for PR 42. */
export function previewNamespace(
  overrides: { labels?: Record<string, string>; annotations?: Record<string, string>; name?: string } = {},
): ResourceInput {
  return {
    type: k8sTypes.namespace,
    name: "preview-pr-42",
    props: {
      metadata: {
        name: overrides.name ?? "preview-pr-42",
        labels: overrides.labels ?? { [rollgateLabels.environment]: "preview", [rollgateLabels.pr]: "42" },
        annotations: overrides.annotations ?? {
          [rollgateAnnotations.createdAt]: previewCreatedAt,
          [rollgateAnnotations.expiresAt]: previewExpiresAt,
          [rollgateAnnotations.ttlHours]: "48",
          [rollgateAnnotations.branch]: "feature/x",
        },
      },
    },
  };
}

export function inNamespace(type: string, namespace: string, name: string, spec: Props = {}): ResourceInput {
  return { type, name, props: { metadata: { name, namespace }, spec } };
}

export function service(type: string, namespace = "apps", labels: Record<string, string> = appLabels): ResourceInput {
  return {
    type: k8sTypes.service,
    name: "web",
    props: { metadata: { name: "web", namespace, labels }, spec: { type, ports: [{ port: 80 }] } },
  };
}
