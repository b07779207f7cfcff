import { beforeEach, describe, expect, it } from "vitest";
import type { MonitoringArgs } from "../../../components/monitoring/monitoring";
import { at, installMocks, MockedResources, named, ofType, types, valueOf } from "../../setup/pulumiMocks";

let mocks: MockedResources;

beforeEach(async () => {
  mocks = await installMocks();
});

async function render(args: Partial<MonitoringArgs> = {}) {
  const { Monitoring } = await import("../../../components/monitoring/monitoring");
  const monitoring = new Monitoring("shop-monitoring", { app: "shop", namespace: "shop-staging", ...args });
  const resources = await mocks.settle();
  return { monitoring, resources };
}

describe("Monitoring", () => {
  it("publishes the dashboard in a ConfigMap Grafana's sidecar picks up", async () => {
    const { resources } = await render();

    const configMap = named(resources, "shop-monitoring-dashboard");
    expect(at(configMap.inputs, "metadata.labels.grafana_dashboard")).toBe("1");
    expect(at(configMap.inputs, "metadata.namespace")).toBe("shop-staging");
    const data = at(configMap.inputs, "data") as Record<string, string>;
    expect(Object.keys(data)).toEqual(["shop-rollgate.json"]);
    expect(JSON.parse(data["shop-rollgate.json"] ?? "null")).toMatchObject({ title: "Rollgate: shop (shop-staging)" });
  });

  it("can put the dashboard in Grafana's namespace", async () => {
    const { resources } = await render({ dashboardNamespace: "monitoring" });

    expect(at(named(resources, "shop-monitoring-dashboard").inputs, "metadata.namespace")).toBe("monitoring");
  });

  it("creates no Prometheus Operator resources by default", async () => {
    const { resources } = await render();

    expect(ofType(resources, types.prometheusRule)).toEqual([]);
    expect(ofType(resources, types.serviceMonitor)).toEqual([]);
  });

  it("creates a PrometheusRule with both alerts when the operator is there", async () => {
    const { resources } = await render({ prometheusOperator: true, operatorLabels: { release: "kube-prometheus-stack" } });

    const rule = named(resources, "shop-monitoring-prometheusrule");
    expect(at(rule.inputs, "metadata.labels.release")).toBe("kube-prometheus-stack");
    const alerts = (at(rule.inputs, "spec.groups.0.rules") as { alert: string }[]).map((alert) => alert.alert);
    expect(alerts).toEqual(["RollgateCanaryErrorRatioAboveStable", "RollgateP99LatencyHigh"]);
  });

  it("scrapes the app's Services on their http port with a ServiceMonitor", async () => {
    const { resources } = await render({ prometheusOperator: true });

    const monitor = named(resources, "shop-monitoring-servicemonitor");
    expect(at(monitor.inputs, "spec.selector.matchLabels")).toEqual({
      "app.kubernetes.io/name": "shop",
      "app.kubernetes.io/managed-by": "rollgate",
    });
    expect(at(monitor.inputs, "spec.endpoints")).toEqual([{ port: "http", path: "/metrics", interval: "15s" }]);
  });

  it("alarms in CloudWatch on 5xx and p99 latency of each target group", async () => {
    const { monitoring, resources } = await render({
      cloudWatch: {
        region: "eu-west-1",
        loadBalancer: "app/public/50dc6c495c0c9188",
        targetGroups: { stable: "targetgroup/stable/1", canary: "targetgroup/canary/2" },
      },
    });

    const alarms = ofType(resources, types.metricAlarm);
    expect(alarms.map((alarm) => alarm.name).sort()).toEqual([
      "shop-monitoring-canary-5xx-alarm",
      "shop-monitoring-canary-latency-alarm",
      "shop-monitoring-stable-5xx-alarm",
      "shop-monitoring-stable-latency-alarm",
    ]);
    expect(named(resources, "shop-monitoring-canary-latency-alarm").inputs).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p99",
      threshold: 0.5,
      region: "eu-west-1",
      dimensions: { LoadBalancer: "app/public/50dc6c495c0c9188", TargetGroup: "targetgroup/canary/2" },
    });
    expect(await valueOf(monitoring.alarmNames)).toHaveLength(4);
  });

  it("alarms only on the stable target group without a canary", async () => {
    const { resources } = await render({
      cloudWatch: { loadBalancer: "app/public/1", targetGroups: { stable: "targetgroup/stable/1" } },
    });

    expect(ofType(resources, types.metricAlarm).every((alarm) => alarm.name.includes("-stable-"))).toBe(true);
  });

  it("rejects an error margin outside 0–1, naming it", async () => {
    await expect(render({ errorRatioMargin: 2 })).rejects.toThrow("`errorRatioMargin` must be a ratio from 0 to 1");
  });

  it("rejects a latency bound that is not positive, naming it", async () => {
    await expect(render({ p99LatencySeconds: 0 })).rejects.toThrow("`p99LatencySeconds`");
  });
});
