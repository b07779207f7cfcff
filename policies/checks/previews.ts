/** Checks for preview environments: their namespace and what may run in them. */
import { rollgateAnnotations, rollgateLabels } from "../../components/labels";
import { annotationsOf, environmentLabelOf, k8sTypes, labelsOf, nameOf, namespaceOf } from "./kubernetes";
import { cloudTags } from "./tags";
import { type Props, record, stringMap } from "./values";

export const previewEnvironment = "preview";

export function isPreviewNamespace(type: string, props: Props): boolean {
  return type === k8sTypes.namespace && environmentLabelOf(props) === previewEnvironment;
}

const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: string | undefined): number | undefined {
  return value !== undefined && instant.test(value) && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined;
}

export interface PreviewTtl {
  /** Longest a preview may live, in hours. */
  readonly maxTtlHours: number;
}

/**
 * A preview namespace names its pull request (label `rollgate.dev/pr`) and
 * when it expires (annotation `rollgate.dev/expires-at`, an ISO-8601 instant,
 * no later than `maxTtlHours` after `rollgate.dev/created-at` when that is
 * set; `rollgate.dev/ttl-hours`, when set, a positive number within the
 * maximum).
 */
export function previewNamespaceLabelProblems(props: Props, options: PreviewTtl): string[] {
  const problems: string[] = [];
  const pr = labelsOf(props)[rollgateLabels.pr];
  if (pr === undefined || !/^[1-9]\d*$/.test(pr)) {
    problems.push(`label ${rollgateLabels.pr} must be the pull request number (got ${JSON.stringify(pr ?? null)})`);
  }
  const annotations = annotationsOf(props);
  const expiresAt = parseInstant(annotations[rollgateAnnotations.expiresAt]);
  if (expiresAt === undefined) {
    problems.push(
      `annotation ${rollgateAnnotations.expiresAt} must be an ISO-8601 instant ` +
        `(got ${JSON.stringify(annotations[rollgateAnnotations.expiresAt] ?? null)})`,
    );
  }
  const createdAtText = annotations[rollgateAnnotations.createdAt];
  const createdAt = parseInstant(createdAtText);
  if (createdAtText !== undefined && createdAt === undefined) {
    problems.push(`annotation ${rollgateAnnotations.createdAt} must be an ISO-8601 instant (got ${JSON.stringify(createdAtText)})`);
  }
  if (expiresAt !== undefined && createdAt !== undefined) {
    const hours = (expiresAt - createdAt) / 3_600_000;
    if (hours <= 0 || hours > options.maxTtlHours) {
      problems.push(
        `annotation ${rollgateAnnotations.expiresAt} must fall within ${options.maxTtlHours}h after ` +
          `${rollgateAnnotations.createdAt} (got ${hours}h)`,
      );
    }
  }
  const ttlText = annotations[rollgateAnnotations.ttlHours];
  if (ttlText !== undefined) {
    const ttl = Number(ttlText);
    if (!/^\d+(\.\d+)?$/.test(ttlText) || ttl <= 0 || ttl > options.maxTtlHours) {
      problems.push(
        `annotation ${rollgateAnnotations.ttlHours} must be a number of hours above 0 and at most ` +
          `${options.maxTtlHours} (got ${JSON.stringify(ttlText)})`,
      );
    }
  }
  return problems;
}

export interface StackObject {
  readonly type: string;
  readonly props: Props;
  /** Resources each input property depends on (as in `PolicyResource`). */
  readonly propertyDependencies?: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * Reads a value that may be unknown: during a preview, the policy SDK throws
 * when a policy reads a value the engine does not know yet (a namespace name
 * built from a random suffix, say). Nothing else in these reads can throw.
 */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Whether `object` lives in the Namespace resource `namespace`: its metadata
 * depends on that resource (so it takes the namespace's name even while the
 * name is unknown), or it names the same namespace.
 */
export function isInNamespace(object: StackObject, namespace: StackObject): boolean {
  if ((object.propertyDependencies?.metadata ?? []).includes(namespace)) {
    return true;
  }
  const name = known(() => nameOf(namespace.props));
  return name !== undefined && known(() => namespaceOf(object.props)) === name;
}

/** How messages name a namespace: its name, or `fallback` while the name is unknown. */
export function namespaceLabel(namespace: StackObject, fallback: string): string {
  return known(() => nameOf(namespace.props)) ?? fallback;
}

/** What a preview namespace lacks among a ResourceQuota and a NetworkPolicy, given the objects in it. */
export function namespaceIsolationProblems(namespace: string, contained: readonly StackObject[]): string[] {
  const problems: string[] = [];
  if (!contained.some((object) => object.type === k8sTypes.resourceQuota)) {
    problems.push(`preview namespace "${namespace}" must contain a ResourceQuota`);
  }
  if (!contained.some((object) => object.type === k8sTypes.networkPolicy)) {
    problems.push(`preview namespace "${namespace}" must contain a NetworkPolicy`);
  }
  return problems;
}

const awsLoadBalancerTypes: ReadonlySet<string> = new Set([
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:elb/loadBalancer:LoadBalancer",
]);

export const cloudflareLoadBalancerType = "cloudflare:index/loadBalancer:LoadBalancer";

/**
 * What makes the resource a public load balancer, for the message, or
 * `undefined` when it is not one.
 */
export function publicLoadBalancer(type: string, props: Props): string | undefined {
  if (type === k8sTypes.service && record(props.spec).type === "LoadBalancer") {
    return "a Service of type LoadBalancer";
  }
  if (awsLoadBalancerTypes.has(type) && props.internal !== true) {
    return "an internet-facing AWS load balancer";
  }
  if (type === cloudflareLoadBalancerType) {
    return "a Cloudflare load balancer";
  }
  return undefined;
}

/** Whether the resource marks itself as part of a preview (label or tag). */
export function marksPreview(type: string, props: Props): boolean {
  if (type.startsWith("kubernetes:")) {
    return environmentLabelOf(props) === previewEnvironment;
  }
  return stringMap(props.tags)[cloudTags.environment] === previewEnvironment;
}
