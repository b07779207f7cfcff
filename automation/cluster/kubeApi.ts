import * as k8s from "@kubernetes/client-node";

/** Kubernetes clients from KUBECONFIG (or the default loading rules). */
export interface KubeApi {
  readonly apps: k8s.AppsV1Api;
  readonly version: k8s.VersionApi;
  readonly custom: k8s.CustomObjectsApi;
}

export function kubeApiFromEnvironment(): KubeApi {
  const config = new k8s.KubeConfig();
  config.loadFromDefault();
  return {
    apps: config.makeApiClient(k8s.AppsV1Api),
    version: config.makeApiClient(k8s.VersionApi),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
  };
}
