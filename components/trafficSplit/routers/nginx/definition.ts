/**
 * ingress-nginx: the canary's share is the `canary-weight` annotation (out
 * of `canary-weight-total`) on the canary Ingress; without that Ingress the
 * canary gets nothing.
 */
import { z } from "zod";
import { record, stringMap } from "../../../untyped";
import type { RouterDefinition } from "../definition";
import { settingText } from "../settingsFields";

export const nginxAnnotations = {
  canary: "nginx.ingress.kubernetes.io/canary",
  canaryWeight: "nginx.ingress.kubernetes.io/canary-weight",
  canaryWeightTotal: "nginx.ingress.kubernetes.io/canary-weight-total",
  canaryByHeader: "nginx.ingress.kubernetes.io/canary-by-header",
  canaryByHeaderValue: "nginx.ingress.kubernetes.io/canary-by-header-value",
} as const;

/** The IngressClass ingress-nginx installs by default, and the local gateway serves. */
export const defaultIngressClassName = "nginx";

/** The canary Ingress beside the primary one named `routeName`. */
export function canaryIngressName(routeName: string): string {
  return `${routeName}-canary`;
}

function annotationNumber(annotations: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const value = annotations[key];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`the canary Ingress's ${key} annotation must be a whole number (got "${value}")`);
  return Number(value);
}

/**
 * The canary's share in percent from the canary Ingress's annotations. An
 * Ingress not marked `canary: "true"` is not a canary to ingress-nginx, so
 * its weight means nothing: that is an error, not 0.
 */
export function canaryIngressWeight(ingress: unknown): number {
  const annotations = stringMap(record(record(ingress).metadata).annotations);
  if (annotations[nginxAnnotations.canary] !== "true") {
    throw new Error(`the canary Ingress is not marked ${nginxAnnotations.canary}: "true", so ingress-nginx does not split traffic to it`);
  }
  const total = annotationNumber(annotations, nginxAnnotations.canaryWeightTotal, 100);
  const weight = annotationNumber(annotations, nginxAnnotations.canaryWeight, 0);
  return total === 0 ? 0 : Math.round((100 * Math.min(weight, total)) / total);
}

/** The traffic brake's merge patch of the canary Ingress: weight 0 and no header route to the canary. */
export function canaryIngressBrake(): Readonly<Record<string, unknown>> {
  return {
    metadata: {
      annotations: { [nginxAnnotations.canaryWeight]: "0", [nginxAnnotations.canaryByHeader]: null, [nginxAnnotations.canaryByHeaderValue]: null },
    },
  };
}

export const nginxDefinition = {
  kind: "nginx",
  // ingress-nginx has no per-canary mirroring.
  capabilities: { headerRouting: true, mirroring: false, baseline: false },
  settings: z.object({ ingressClassName: settingText("an IngressClass name").optional() }),
  config: { nginxIngressClass: { setting: "ingressClassName" } },
  liveWeight: {
    source: "kubernetes",
    object: (routeName) => ({ group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", name: canaryIngressName(routeName) }),
    whenAbsent: 0,
    canaryWeight: canaryIngressWeight,
  },
  declaredWeights: {
    matches: (type) => /^kubernetes:networking\.k8s\.io\/[^:]+:Ingress$/.test(type),
    groups: () => [],
    shares: (props) => {
      const value = stringMap(record(record(props).metadata).annotations)[nginxAnnotations.canaryWeight];
      return value === undefined ? [] : [{ path: `annotation ${nginxAnnotations.canaryWeight}`, value }];
    },
  },
  brake: { source: "kubernetes", patch: canaryIngressBrake },
} satisfies RouterDefinition<"nginx">;
