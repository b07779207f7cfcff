/**
 * Pulumi mocks for unit tests. Each scenario installs fresh mocks, then
 * imports the code under test with `await import()`, builds resources and
 * inspects what was registered:
 *
 *   const mocks = await installMocks();
 *   const { WebService } = await import("../../components/webService");
 *   new WebService("web", args);
 *   const registered = await mocks.settle();
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the engine would have received it. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  /** Resolved inputs (secrets unwrapped). */
  readonly inputs: Record<string, unknown>;
  /** False for component resources. */
  readonly custom: boolean;
  /** Provider reference (`urn::id`) when an explicit provider was used. */
  readonly provider?: string;
}

export const mockAccountId = "123456789012";

/** Outputs the real providers would compute, so code reading them gets plausible values. */
function computedState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "random:index/randomString:RandomString":
      return { result: "a1b2c3d4e5f6".slice(0, Number(args.inputs.length ?? 6)) };
    case "aws:lb/targetGroup:TargetGroup": {
      // Auto-named from `namePrefix` as AWS does (at most 32 characters), keeping the Pulumi name for tests to tell groups apart.
      const prefix = typeof args.inputs.namePrefix === "string" ? args.inputs.namePrefix : "";
      const suffix = `targetgroup/${`${prefix}${args.name}`.slice(0, 32)}/0123456789abcdef`;
      return { arn: `arn:aws:elasticloadbalancing:eu-west-1:${mockAccountId}:${suffix}`, arnSuffix: suffix };
    }
    default:
      return {};
  }
}

export class MockedResources {
  private readonly registered: RegisteredResource[] = [];

  /** The mocks to install; records every registration. */
  readonly mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      this.registered.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs as Record<string, unknown>,
        custom: args.custom ?? true,
        ...(args.provider ? { provider: args.provider } : {}),
      });
      return { id: `${args.name}-id`, state: { ...args.inputs, ...computedState(args) } };
    },
    call: (args) => args.inputs as Record<string, unknown>,
  };

  get all(): readonly RegisteredResource[] {
    return [...this.registered];
  }

  /**
   * Waits until every registration has reached the mocks (including ones
   * that start only when other resources' outputs resolve), then returns
   * them all.
   */
  async settle(): Promise<readonly RegisteredResource[]> {
    let seen = -1;
    for (let quietRounds = 0; quietRounds < 3; ) {
      await pulumi.runtime.waitForRPCs();
      await new Promise((resolve) => setImmediate(resolve));
      if (this.registered.length === seen) {
        quietRounds += 1;
      } else {
        quietRounds = 0;
        seen = this.registered.length;
      }
    }
    return this.all;
  }
}

// `waitForRPCs` is exported by the runtime but left out of its type declarations.
declare module "@pulumi/pulumi/runtime" {
  function waitForRPCs(): Promise<void>;
}

export interface MockOptions {
  readonly stack?: string;
  /** Stack config, keys with their namespace (`rollgate:app`). */
  readonly config?: Readonly<Record<string, string>>;
  /** Config keys holding secrets. */
  readonly secretKeys?: readonly string[];
}

/** Installs fresh mocks (project `rollgate`) and stack config; returns the recorder. */
export async function installMocks(options: MockOptions = {}): Promise<MockedResources> {
  const resources = new MockedResources();
  pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);
  await pulumi.runtime.setMocks(resources.mocks, "rollgate", options.stack ?? "test", false);
  return resources;
}

/** The value of an output or other input (outputs are always known under these mocks). */
export function valueOf<T>(input: pulumi.Input<T> | undefined): Promise<pulumi.Unwrap<T> | undefined> {
  return new Promise((resolve) => pulumi.output(input).apply((value) => resolve(value)));
}

/** Resources of one type, e.g. `kubernetes:apps/v1:Deployment`. */
export function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((resource) => resource.type === type);
}

/** The one resource with this Pulumi name; throws when there is none. */
export function named(resources: readonly RegisteredResource[], name: string): RegisteredResource {
  const found = resources.find((resource) => resource.name === name);
  if (!found) {
    throw new Error(`no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`);
  }
  return found;
}

/** Reads a nested value: `at(resource.inputs, "spec.template.spec")`. */
export function at(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (current, key) => (current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined),
      value,
    );
}

export const types = {
  namespace: "kubernetes:core/v1:Namespace",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  virtualService: "kubernetes:networking.istio.io/v1:VirtualService",
  destinationRule: "kubernetes:networking.istio.io/v1:DestinationRule",
  prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  targetGroupBinding: "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
  randomString: "random:index/randomString:RandomString",
  cloudflareProvider: "pulumi:providers:cloudflare",
  loadBalancer: "cloudflare:index/loadBalancer:LoadBalancer",
  loadBalancerPool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  kubernetesProvider: "pulumi:providers:kubernetes",
} as const;

/** Whether a registered input value was a secret (mocks see secrets as signed envelopes). */
export function isSecretInput(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** Names of resources whose inputs differ between two renderings of the same program. */
export function changedResources(
  before: readonly RegisteredResource[],
  after: readonly RegisteredResource[],
): string[] {
  const key = (resource: RegisteredResource) => `${resource.type}::${resource.name}`;
  const previous = new Map(before.map((resource) => [key(resource), JSON.stringify(resource.inputs)]));
  const current = new Map(after.map((resource) => [key(resource), JSON.stringify(resource.inputs)]));
  const names = new Set([...previous.keys(), ...current.keys()]);
  return [...names].filter((name) => previous.get(name) !== current.get(name)).map((name) => name.split("::")[1] ?? name).sort();
}
