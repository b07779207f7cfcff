import type * as k8s from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { DeploymentWaiter } from "../deps";

/** Why a Deployment is not rolled out yet, or undefined once it is. */
export function rolloutProblem(deployment: k8s.V1Deployment): string | undefined {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) return "the new spec is not observed yet";
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return `rollout stalled: ${progressing.message ?? "deadline exceeded"}`;
  if ((status.updatedReplicas ?? 0) < desired) return `${status.updatedReplicas ?? 0}/${desired} replicas updated`;
  if ((status.availableReplicas ?? 0) < desired) return `${status.availableReplicas ?? 0}/${desired} replicas available`;
  if ((status.replicas ?? 0) > desired) return "old replicas are still terminating";
  return undefined;
}

/** Polls a Deployment until it is Available with every replica updated, or the timeout passes. */
export function deploymentWaiter(apps: Pick<k8s.AppsV1Api, "readNamespacedDeployment">, timeoutMs = 120_000, intervalMs = 250): DeploymentWaiter {
  return async (namespace, name, options = {}) => {
    const deadline = Date.now() + timeoutMs;
    let problem = "not found";
    while (Date.now() < deadline) {
      options.signal?.throwIfAborted();
      try {
        const problemNow = rolloutProblem(await apps.readNamespacedDeployment({ name, namespace }));
        if (!problemNow) return;
        problem = problemNow;
      } catch (error) {
        problem = (error as Error).message;
      }
      await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    }
    throw new Error(`deployment ${namespace}/${name} did not become available in ${timeoutMs / 1000}s: ${problem}`);
  };
}
