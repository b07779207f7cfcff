import type * as k8s from "@kubernetes/client-node";
import { KubeClient } from "./kubeClient";
import { loadKubeConnection } from "./kubeConfig";

/** The cluster calls the service makes, shaped like the official client's methods (which tests fake). */
export interface KubeApi {
  readonly core: Pick<k8s.CoreV1Api, "listNamespace" | "deleteNamespace">;
  readonly apps: Pick<k8s.AppsV1Api, "readNamespacedDeployment">;
  readonly custom: Pick<k8s.CustomObjectsApi, "getNamespacedCustomObject">;
  readonly objects: ObjectPatches;
  readonly version: { getCode(): Promise<unknown> };
}

/** Where a namespaced object of an API group is. */
export interface GroupObjectRef {
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly plural: string;
  readonly name: string;
}

/** Writes to single objects (the traffic brake's). */
export interface ObjectPatches {
  /** A JSON merge patch of the object, recorded under `fieldManager`; the patched object. */
  mergePatch(ref: GroupObjectRef, patch: unknown, fieldManager: string): Promise<unknown>;
}

/** The reads on KUBECONFIG (or `~/.kube/config`, or the pod's service account). */
export function kubeApiFromEnvironment(env: NodeJS.ProcessEnv = process.env): KubeApi {
  return kubeApi(new KubeClient(loadKubeConnection(env)));
}

export function kubeApi(client: Pick<KubeClient, "get" | "delete" | "mergePatch">): KubeApi {
  const segment = encodeURIComponent;
  const objectPath = ({ group, version, namespace, plural, name }: GroupObjectRef) =>
    `/apis/${segment(group)}/${segment(version)}/namespaces/${segment(namespace)}/${segment(plural)}/${segment(name)}`;
  return {
    core: {
      listNamespace: async (request = {}) =>
        (await client.get(`/api/v1/namespaces${request.labelSelector ? `?labelSelector=${segment(request.labelSelector)}` : ""}`)) as k8s.V1NamespaceList,
      deleteNamespace: async ({ name }) => (await client.delete(`/api/v1/namespaces/${segment(name)}`)) as k8s.V1Status,
    },
    apps: {
      readNamespacedDeployment: async ({ namespace, name }) =>
        (await client.get(`/apis/apps/v1/namespaces/${segment(namespace)}/deployments/${segment(name)}`)) as k8s.V1Deployment,
    },
    custom: {
      getNamespacedCustomObject: async (ref) => client.get(objectPath(ref)),
    },
    objects: {
      mergePatch: (ref, patch, fieldManager) => client.mergePatch(`${objectPath(ref)}?fieldManager=${segment(fieldManager)}`, patch),
    },
    version: { getCode: () => client.get("/version") },
  };
}
