/**
 * Canary replicas follow the canary's share of traffic (Argo Rollouts'
 * habit): each canary pod takes about the load of a stable pod, so at 100%
 * the canary runs as many pods as stable does, never one pod for everything.
 * At least one pod, so the canary is ready before any traffic reaches it.
 */
export function canaryReplicasFor(stableReplicas: number, canaryWeight: number): number {
  return Math.max(1, Math.ceil((stableReplicas * canaryWeight) / 100));
}
