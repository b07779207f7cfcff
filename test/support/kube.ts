import * as k8s from "@kubernetes/client-node";
import { kubeconfigPath } from "./toolchain";

export interface KubeClients {
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly networking: k8s.NetworkingV1Api;
}

export function kubeClients(): KubeClients {
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfigPath());
  return {
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    networking: config.makeApiClient(k8s.NetworkingV1Api),
  };
}

/** Resolves to true once `probe` does, false when `timeoutMs` passes. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === 404;
}

export async function namespaceGone(core: k8s.CoreV1Api, name: string): Promise<boolean> {
  try {
    await core.readNamespace({ name });
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}
