/**
 * The local gateway's Ingress status writer (automation/dataplane), run on
 * one namespace for a test that does not start the whole data plane: it
 * publishes the address an ingress-nginx controller would, which Pulumi's
 * Kubernetes provider waits for before an Ingress counts as created.
 */
import { KubeClient } from "../../automation/cluster/kubeClient";
import { loadKubeConnection } from "../../automation/cluster/kubeConfig";
import type { Ingress } from "../../automation/dataplane/clusterObjects";
import { IngressStatusWriter } from "../../automation/dataplane/ingressStatus";
import { silentLogger } from "../../automation/deps";
import { defaultIngressClassName } from "../../components/trafficSplit/routers/nginx/definition";
import { kubeconfigPath } from "./toolchain";

export class IngressAddressPublisher {
  private readonly client = new KubeClient(loadKubeConnection({ KUBECONFIG: kubeconfigPath() }));
  private readonly writer = new IngressStatusWriter(this.client, silentLogger, defaultIngressClassName);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly namespace: string) {}

  start(): void {
    const tick = async (): Promise<void> => {
      const list = (await this.client.get(`/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/ingresses`).catch(() => ({}))) as {
        items?: Ingress[];
      };
      await this.writer.report(list.items ?? []);
      if (!this.stopped) this.timer = setTimeout(() => void tick(), 250);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
