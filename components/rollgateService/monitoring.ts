import * as k8s from "@pulumi/kubernetes";
import { grafanaDashboardLabel } from "../monitoring/monitoring";
import { renderServiceDashboard } from "./dashboard";
import type { ServiceScope } from "./scope";

/** A Grafana dashboard ConfigMap (picked up by Grafana's sidecar), and a ServiceMonitor where the Prometheus Operator runs. */
export function createMonitoring(scope: ServiceScope, namespace: string, prometheusOperator: boolean): void {
  const opts = { parent: scope.parent };
  new k8s.core.v1.ConfigMap(
    `${scope.name}-dashboard`,
    {
      metadata: { name: `${scope.objectName}-dashboard`, namespace: scope.namespace, labels: { ...scope.labels, ...grafanaDashboardLabel } },
      data: { "rollgate-service.json": renderServiceDashboard(namespace) },
    },
    opts,
  );
  if (prometheusOperator) {
    new k8s.apiextensions.CustomResource(
      `${scope.name}-service-monitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: scope.objectName, namespace: scope.namespace, labels: scope.labels },
        spec: {
          selector: { matchLabels: scope.selector },
          endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
        },
      },
      opts,
    );
  }
}
