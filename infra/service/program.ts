/**
 * The program that deploys Rollgate itself (`rollgate:program: service`,
 * e.g. `stacks/Pulumi.rollgate.yaml`). Its return value becomes the stack outputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { RollgateService } from "../../components/rollgateService";
import { parseServiceConfig, readRawServiceConfig } from "./config";

export interface ServiceOutputs {
  readonly url: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly deploymentName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly serviceAccountName: pulumi.Output<string>;
}

/** Parses the `rollgateService:*` config (failing before any resource on bad config) and deploys the service. */
export function serviceProgram(): ServiceOutputs {
  const config = parseServiceConfig(readRawServiceConfig());
  const service = new RollgateService("rollgate", {
    namespace: config.namespace,
    image: config.image,
    replicas: config.replicas,
    hostnames: config.hostnames,
    gateway: config.gateway,
    secrets: config.secrets,
    managedNamespaces: config.managedNamespaces,
    previews: config.previews,
    prometheusOperator: config.prometheusOperator,
    prometheusNamespace: config.prometheusNamespace,
    trialDatabase: config.trialDatabase,
    ...(config.prometheusUrl !== undefined ? { env: { ROLLGATE_PROMETHEUS_URL: config.prometheusUrl } } : {}),
  });
  return {
    url: service.url,
    namespace: service.namespace,
    deploymentName: service.deploymentName,
    serviceName: service.serviceName,
    serviceAccountName: service.serviceAccountName,
  };
}
