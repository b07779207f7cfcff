/**
 * What a router knows besides the resources it renders: its kind, its
 * capabilities, and how to read its weights back from the objects it
 * manages. Pure data and functions (zod only), so the policy pack and the
 * service use them without loading a Pulumi provider SDK; the rendering half
 * of each router (`../<kind>.ts`) imports its definition from here.
 */
import type { RouterCapabilities } from "../capabilities";

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
export interface LiveWeightReader {
  /** The object holding the weight, from the route name (the app). */
  readonly object: (routeName: string) => KubeObjectRef;
  /** Canary share (0–100) when the object does not exist; absent means a missing object is an error. */
  readonly whenAbsent?: number;
  /** The canary's share in percent of the traffic the object splits; throws when it cannot tell. */
  readonly canaryWeight: (object: unknown, services: TrackServices) => number;
  /** Why the object's spec is not what the data plane serves yet, or undefined when it is. */
  readonly notServed?: (object: unknown) => string | undefined;
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

export interface RouterDefinition<K extends string = string> {
  readonly kind: K;
  readonly capabilities: RouterCapabilities;
  /** Reading the live weight from the cluster; "unsupported" where it is not read from Kubernetes objects yet. */
  readonly liveWeight: LiveWeightReader | "unsupported";
  /** Weights the policy pack checks; "unsupported" when the router's resources carry none it can check. */
  readonly declaredWeights: DeclaredWeightReader | "unsupported";
}
