/**
 * What a router knows besides the resources it renders: its kind, its
 * capabilities, its settings (schema and stack config keys), and how to read
 * its weights back from the objects it manages. Pure data and functions (zod
 * only), so stack config, the policy pack and the service use them without
 * loading a Pulumi provider SDK. A router module (`<kind>/index.ts`) is its
 * definition plus `render`, which builds the router's resources and loads
 * the provider SDKs it needs only then (`components/providerSdks.ts`).
 */
import type { z } from "zod";
import type { RouterCapabilities } from "../capabilities";
import type { TrafficRouter } from "../router";

/** The Kubernetes object a router's live weight is read from. */
export interface KubeObjectRef {
  /** API group; `networking.k8s.io` for Ingress. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Resource name in the API path, e.g. `httproutes`. */
  readonly plural: string;
  readonly name: string;
}

/** The Services of the two tracks, whose shares a weight is read between. */
export interface TrackServices {
  readonly stable: string;
  readonly canary: string;
}

/** How the canary's live share is read from one object in the cluster. */
export interface KubernetesWeightReader {
  readonly source: "kubernetes";
  /** The object holding the weight, from the route name (the app). */
  readonly object: (routeName: string) => KubeObjectRef;
  /** Canary share (0–100) when the object does not exist; absent means a missing object is an error. */
  readonly whenAbsent?: number;
  /** The canary's share in percent of the traffic the object splits; throws when it cannot tell. */
  readonly canaryWeight: (object: unknown, services: TrackServices) => number;
  /** Why the object's spec is not what the data plane serves yet, or undefined when it is. */
  readonly notServed?: (object: unknown) => string | undefined;
}

/** What an API reader knows about the route besides the router's settings. */
export interface ApiReadContext {
  /** The route name (the app), which the router's cloud objects are named after. */
  readonly routeName: string;
  /** The route's public host names, in the order the component was given them. */
  readonly hostnames: readonly string[];
  readonly signal?: AbortSignal;
  /** Base URL of the cloud API; the provider's public endpoint when left out (tests point it at a local server). */
  readonly endpoint?: string;
  /** The `fetch` to call the API with; the global one when left out. */
  readonly fetch?: typeof fetch;
}

/** How the canary's live share is read from the cloud API that holds the router's weights. */
export interface ApiWeightReader {
  readonly source: "api";
  /**
   * The canary's share (0–100) from the API, given settings that passed the
   * definition's `settings` schema (secrets as plain strings). Throws a
   * `LiveWeightReadError` that never contains a credential.
   */
  readonly read: (settings: Readonly<Record<string, unknown>>, context: ApiReadContext) => Promise<number>;
}

export type LiveWeightReader = KubernetesWeightReader | ApiWeightReader;

/**
 * The traffic brake: how the live object the weight is read from (the
 * `liveWeight` object) is patched at once to send the canary nothing, before
 * the stack records weight 0 with an update. The update then applies the
 * router's own rendering over it (`brakeAnnotations` lets it take the fields
 * back), so stack config, Pulumi state and the live object agree.
 */
export interface KubernetesBrake {
  readonly source: "kubernetes";
  /**
   * A JSON merge patch (RFC 7386) of the live object that gives the canary 0:
   * no weight, no header route and no mirror to it, every other route kept.
   */
  readonly patch: (object: unknown, services: TrackServices) => Readonly<Record<string, unknown>>;
}

/**
 * Annotations on every object a brake patches: the Pulumi Kubernetes
 * provider's server-side apply forces its fields back where the brake's
 * patch owns them, rather than failing on the field conflict.
 */
export const brakeAnnotations: Readonly<Record<string, string>> = { "pulumi.com/patchForce": "true" };

/** A live weight that could not be read; `retryable` when asking again later may succeed (throttling, outages). */
export class LiveWeightReadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "LiveWeightReadError";
  }
}

/** Backends sharing one route's traffic; `weights[i]` is `undefined` when not declared. */
export interface WeightGroup {
  /** Where the group is, for messages: `spec.rules[0].backendRefs`. */
  readonly path: string;
  readonly weights: readonly unknown[];
}

/** How the policy pack finds weights in a resource's properties before it is deployed. */
export interface DeclaredWeightReader {
  /** Whether the Pulumi resource type is one whose weights this router sets. */
  readonly matches: (type: string) => boolean;
  /** Weight groups whose weights must be integers in 0–100 that sum to 100. */
  readonly groups: (props: unknown) => WeightGroup[];
  /** Single weights in 0–100 whose complement goes elsewhere (nginx canary annotations). */
  readonly shares?: (props: unknown) => Array<{ readonly path: string; readonly value: unknown }>;
}

/** How a stack config value is read before the settings schema checks it. */
export type ConfigInput = "text" | "list" | "integer" | "secret";

/** A stack config key (`rollgate:<key>`) that sets one of a router's settings. */
export interface ConfigSetting {
  readonly setting: string;
  /** Default `text`: a trimmed string; `list` is a JSON array or comma-separated; `secret` stays a Pulumi secret. */
  readonly input?: ConfigInput;
}

export interface RouterDefinition<K extends string = string> {
  readonly kind: K;
  readonly capabilities: RouterCapabilities;
  /**
   * The settings stack config can give the router, with what each must be
   * (the messages say "must …"); optional fields are the ones with defaults.
   * Secrets are checked by stack config itself and stay `z.unknown()` here.
   */
  readonly settings: z.ZodObject<z.ZodRawShape>;
  /** Stack config key → the setting it fills; every key is the router's own, and spelled only here. */
  readonly config: Readonly<Record<string, ConfigSetting>>;
  /** Reading the live weight from a Kubernetes object or the router's cloud API; "unsupported" where neither is read yet. */
  readonly liveWeight: LiveWeightReader | "unsupported";
  /** Weights the policy pack checks; "unsupported" when the router's resources carry none it can check. */
  readonly declaredWeights: DeclaredWeightReader | "unsupported";
  /** The traffic brake on the live weight's object; "unsupported" where only the stack update moves traffic back. */
  readonly brake: KubernetesBrake | "unsupported";
}

/** A router: its definition and how it renders its resources from settings `S`. */
export interface RouterModule<K extends string, S> extends RouterDefinition<K> {
  /** Builds the router; throws when `settings` are invalid. */
  readonly render: (settings: S) => TrafficRouter<K>;
}
