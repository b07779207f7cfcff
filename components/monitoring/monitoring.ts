import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy, recommendedLabels } from "../labels";
import { CloudWatchTargets } from "../trafficSplit/router";
import { defined, isDns1035Label, Problems } from "../validation";
import { alertDefaults, buildAlertRules } from "./alerts";
import { renderDashboard } from "./dashboard";

/** Arguments of a {@link Monitoring}. */
export interface MonitoringArgs {
  /** Application name; Services labelled `app.kubernetes.io/name: <app>` are scraped. */
  readonly app: string;
  /** Namespace of the app (and of the dashboard ConfigMap unless `dashboardNamespace` is set). */
  readonly namespace: pulumi.Input<string>;
  /** Namespace Grafana's sidecar watches for dashboards. Default: `namespace`. */
  readonly dashboardNamespace?: pulumi.Input<string>;
  /**
   * Create the PrometheusRule and ServiceMonitor custom resources. Needs the
   * Prometheus Operator CRDs, so it is off by default.
   */
  readonly prometheusOperator?: boolean;
  /** Labels the Prometheus Operator selects rules and monitors by, e.g. `{ release: "kube-prometheus-stack" }`. */
  readonly operatorLabels?: Readonly<Record<string, string>>;
  /** Extra PromQL matchers (without braces) for every query. */
  readonly extraSelector?: string;
  /** Alert when the canary's 5xx ratio exceeds stable's by more than this (0–1). Default 0.01. */
  readonly errorRatioMargin?: number;
  /** Alert when p99 latency exceeds this many seconds. Default 0.5. */
  readonly p99LatencySeconds?: number;
  /** Target groups to alarm on in CloudWatch (the aws router returns them). */
  readonly cloudWatch?: CloudWatchTargets;
  /** CloudWatch: alarm when a target group returns more 5xx than this per minute. Default 5. */
  readonly max5xxPerMinute?: number;
}

export const monitoringDefaults = { prometheusOperator: false, max5xxPerMinute: 5, ...alertDefaults } as const;

/** Grafana's dashboard sidecar picks up ConfigMaps with this label. */
export const grafanaDashboardLabel = { grafana_dashboard: "1" } as const;

/**
 * Observability for a release: a Grafana dashboard (ConfigMap for the
 * sidecar), optionally Prometheus Operator alerts and a ServiceMonitor, and
 * CloudWatch alarms when the traffic goes through an AWS load balancer.
 * Nothing here depends on the canary weight.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly dashboardConfigMapName: pulumi.Output<string>;
  readonly dashboardJson: pulumi.Output<string>;
  /** CloudWatch alarm names, when CloudWatch targets were given. */
  readonly alarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateMonitoringArgs(name, args);
    super("rollgate:monitoring:Monitoring", name, {}, opts);

    const settings = { ...monitoringDefaults, ...defined(args) };
    const labels = {
      [recommendedLabels.name]: args.app,
      [recommendedLabels.component]: "monitoring",
      [recommendedLabels.partOf]: args.app,
      [recommendedLabels.managedBy]: managedBy,
    };
    const namespace = pulumi.output(args.namespace);
    const alertOptions = (ns: string) => ({
      app: args.app,
      namespace: ns,
      errorRatioMargin: settings.errorRatioMargin,
      p99LatencySeconds: settings.p99LatencySeconds,
      ...(args.extraSelector !== undefined ? { extraSelector: args.extraSelector } : {}),
    });

    this.dashboardJson = namespace.apply((ns) => renderDashboard(alertOptions(ns)));
    const dashboard = new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: {
          name: `${args.app}-rollgate-dashboard`,
          namespace: args.dashboardNamespace ?? args.namespace,
          labels: { ...labels, ...grafanaDashboardLabel },
        },
        data: { [`${args.app}-rollgate.json`]: this.dashboardJson },
      },
      { parent: this },
    );
    this.dashboardConfigMapName = dashboard.metadata.name;

    if (settings.prometheusOperator) {
      const operatorLabels = { ...labels, ...args.operatorLabels };
      new k8s.apiextensions.CustomResource(
        `${name}-prometheusrule`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: `${args.app}-rollgate`, namespace: args.namespace, labels: operatorLabels },
          spec: { groups: namespace.apply((ns) => buildAlertRules(alertOptions(ns))) },
        },
        { parent: this },
      );
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: args.app, namespace: args.namespace, labels: operatorLabels },
          spec: {
            selector: {
              matchLabels: { [recommendedLabels.name]: args.app, [recommendedLabels.managedBy]: managedBy },
            },
            namespaceSelector: { matchNames: [args.namespace] },
            endpoints: [{ port: "http", path: "/metrics", interval: "15s" }],
          },
        },
        { parent: this },
      );
    }

    const alarms = args.cloudWatch ? this.cloudWatchAlarms(name, args.app, args.cloudWatch, settings) : [];
    this.alarmNames = pulumi.all(alarms.map((alarm) => alarm.name));

    this.registerOutputs({
      dashboardConfigMapName: this.dashboardConfigMapName,
      alarmNames: this.alarmNames,
    });
  }

  private cloudWatchAlarms(
    name: string,
    app: string,
    targets: CloudWatchTargets,
    settings: { readonly max5xxPerMinute: number; readonly p99LatencySeconds: number },
  ): aws.cloudwatch.MetricAlarm[] {
    const groups = Object.entries(targets.targetGroups).filter(
      (entry): entry is [string, pulumi.Input<string>] => entry[1] !== undefined,
    );
    return groups.flatMap(([track, targetGroup]) => {
      const common = {
        namespace: "AWS/ApplicationELB",
        dimensions: { LoadBalancer: targets.loadBalancer, TargetGroup: targetGroup },
        period: 60,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        region: targets.region,
        tags: { "rollgate.dev/app": app, "rollgate.dev/track": track },
      };
      return [
        new aws.cloudwatch.MetricAlarm(
          `${name}-${track}-5xx-alarm`,
          {
            ...common,
            alarmDescription: `${app} ${track}: target 5xx responses above ${settings.max5xxPerMinute} per minute`,
            metricName: "HTTPCode_Target_5XX_Count",
            statistic: "Sum",
            evaluationPeriods: 2,
            threshold: settings.max5xxPerMinute,
          },
          { parent: this },
        ),
        new aws.cloudwatch.MetricAlarm(
          `${name}-${track}-latency-alarm`,
          {
            ...common,
            alarmDescription: `${app} ${track}: p99 target response time above ${settings.p99LatencySeconds}s`,
            metricName: "TargetResponseTime",
            extendedStatistic: "p99",
            evaluationPeriods: 3,
            threshold: settings.p99LatencySeconds,
          },
          { parent: this },
        ),
      ];
    });
  }
}

/** Checks the arguments; throws listing every problem. */
export function validateMonitoringArgs(name: string, args: MonitoringArgs): void {
  const positive = (value: number | undefined, what: string) =>
    value === undefined || (Number.isFinite(value) && value > 0) ? undefined : `must be a positive ${what} (got ${value})`;
  new Problems()
    .when("app", isDns1035Label(args.app) ? undefined : `must be a DNS label starting with a letter (got "${args.app}")`)
    .when(
      "errorRatioMargin",
      args.errorRatioMargin === undefined || (args.errorRatioMargin >= 0 && args.errorRatioMargin <= 1)
        ? undefined
        : `must be a ratio from 0 to 1 (got ${args.errorRatioMargin})`,
    )
    .when("p99LatencySeconds", positive(args.p99LatencySeconds, "number of seconds"))
    .when("max5xxPerMinute", positive(args.max5xxPerMinute, "number"))
    .throwIfAny(`Monitoring "${name}"`);
}
