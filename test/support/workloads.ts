import type * as k8s from "@kubernetes/client-node";
import { isNotFound } from "./kube";

/** Whether the Deployment exists and reports the `Available` condition with every desired replica available. */
export async function deploymentAvailable(apps: k8s.AppsV1Api, namespace: string, name: string): Promise<boolean> {
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const available = deployment.status?.conditions?.find((condition) => condition.type === "Available");
  const availableReplicas = deployment.status?.availableReplicas ?? 0;
  return available?.status === "True" && availableReplicas === (deployment.spec?.replicas ?? 1);
}

/** Whether `read` fails with 404. */
export async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}
