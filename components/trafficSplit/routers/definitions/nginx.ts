/** ingress-nginx: the canary's share is the `canary-weight` annotation on the canary Ingress. */
import { record, stringMap } from "../../../untyped";
import type { RouterDefinition } from "../definition";

export const nginxAnnotations = {
  canary: "nginx.ingress.kubernetes.io/canary",
  canaryWeight: "nginx.ingress.kubernetes.io/canary-weight",
  canaryWeightTotal: "nginx.ingress.kubernetes.io/canary-weight-total",
  canaryByHeader: "nginx.ingress.kubernetes.io/canary-by-header",
  canaryByHeaderValue: "nginx.ingress.kubernetes.io/canary-by-header-value",
} as const;

/** The canary Ingress beside the primary one named `routeName`. */
export function canaryIngressName(routeName: string): string {
  return `${routeName}-canary`;
}

export const nginxDefinition: RouterDefinition<"nginx"> = {
  kind: "nginx",
  // ingress-nginx has no per-canary mirroring.
  capabilities: { headerRouting: true, mirroring: false },
  liveWeight: "unsupported",
  declaredWeights: {
    matches: (type) => /^kubernetes:networking\.k8s\.io\/[^:]+:Ingress$/.test(type),
    groups: () => [],
    shares: (props) => {
      const value = stringMap(record(record(props).metadata).annotations)[nginxAnnotations.canaryWeight];
      return value === undefined ? [] : [{ path: `annotation ${nginxAnnotations.canaryWeight}`, value }];
    },
  },
};
