/**
 * The Kubernetes "restricted" Pod Security Standard as Rollgate's workloads
 * apply it: non-root with a fixed id, the runtime's default seccomp profile,
 * no privilege escalation, a read-only root filesystem and no capabilities.
 */

/** The pod-level half, for `spec.template.spec.securityContext`. */
export function restrictedPodSecurity(user: number) {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup: user, seccompProfile: { type: "RuntimeDefault" } };
}

/** The container-level half, for each container's `securityContext`. */
export function restrictedContainerSecurity(user: number) {
  return { runAsNonRoot: true, runAsUser: user, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
}
