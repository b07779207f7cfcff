/**
 * The local gateway reports the Ingresses of its class as an ingress
 * controller does (ingress-nginx publishes its address in
 * `status.loadBalancer.ingress`): Pulumi's Kubernetes provider waits for that
 * address before it counts an Ingress as created, so without it every
 * `nginx`-router stack on the local cluster would hang until its timeout.
 */
import type { KubeClient } from "../cluster/kubeClient";
import type { Logger } from "../deps";
import type { Ingress } from "./clusterObjects";

/** The address the local gateway listens on. */
export const localGatewayAddress = "127.0.0.1";

/** Whether the Ingress is for `ingressClassName` and does not show the gateway's address yet. */
export function needsAddress(ingress: Ingress, ingressClassName: string): boolean {
  if (ingress.spec?.ingressClassName !== ingressClassName) return false;
  return !(ingress.status?.loadBalancer?.ingress ?? []).some((entry) => entry.ip === localGatewayAddress);
}

/** Writes the gateway's address on the Ingresses of its class that lack it. */
export class IngressStatusWriter {
  constructor(
    private readonly client: Pick<KubeClient, "mergePatch">,
    private readonly logger: Logger,
    private readonly ingressClassName: string,
  ) {}

  /** Failures are logged and retried on the next call. */
  async report(ingresses: readonly Ingress[]): Promise<void> {
    await Promise.all(
      ingresses
        .filter((ingress) => needsAddress(ingress, this.ingressClassName))
        .map(async (ingress) => {
          const { namespace, name } = ingress.metadata ?? {};
          if (!namespace || !name) return;
          const path = `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/ingresses/${encodeURIComponent(name)}/status`;
          try {
            await this.client.mergePatch(path, { status: { loadBalancer: { ingress: [{ ip: localGatewayAddress }] } } });
          } catch (error) {
            this.logger.warn({ ingress: `${namespace}/${name}`, error: error instanceof Error ? error.message : String(error) }, "could not write the Ingress's address; retrying");
          }
        }),
    );
  }
}
