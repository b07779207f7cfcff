import { describe, expect, it } from "vitest";

import { recommendedLabels } from "../../components/labels";
import { k8sTypes } from "../../policies/checks/kubernetes";
import {
  workloadImagePinned,
  workloadNoHostNetwork,
  workloadNoPrivileged,
  workloadProbesRequired,
  workloadRecommendedLabels,
  workloadResourcesRequired,
  workloadRunAsNonRoot,
} from "../../policies/workloads";
import { appLabels, container, deployment, digest, service, workload } from "./fixtures";
import { validateResource } from "./helpers";

const allWorkloadTypes = [
  k8sTypes.deployment,
  k8sTypes.statefulSet,
  k8sTypes.daemonSet,
  k8sTypes.replicaSet,
  k8sTypes.pod,
  k8sTypes.job,
  k8sTypes.cronJob,
];

describe("workload-resources-required", () => {
  it.each(allWorkloadTypes)("passes a %s whose containers declare requests and limits", async (type) => {
    const outcome = await validateResource(workloadResourcesRequired, workload(type));

    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBeUndefined();
  });

  it("reports a container without a CPU limit", async () => {
    const web = container({ resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } });

    const outcome = await validateResource(workloadResourcesRequired, deployment({ containers: [web] }));

    expect(outcome.violations).toEqual(['container "web" must declare resources limits.cpu']);
  });

  it("reports a container without any resources", async () => {
    const outcome = await validateResource(
      workloadResourcesRequired,
      deployment({ containers: [container({ resources: undefined })] }),
    );

    expect(outcome.violations).toEqual([
      'container "web" must declare resources requests.cpu, requests.memory, limits.cpu, limits.memory',
    ]);
  });

  it("reports an init container without memory request and limit", async () => {
    const init = container({ name: "migrate", resources: { requests: { cpu: "50m" }, limits: { cpu: "100m" } } });

    const outcome = await validateResource(workloadResourcesRequired, workload(k8sTypes.job, { initContainers: [init] }));

    expect(outcome.violations).toEqual(['init container "migrate" must declare resources requests.memory, limits.memory']);
  });

  it("does not apply to a Service", async () => {
    const outcome = await validateResource(workloadResourcesRequired, service("ClusterIP"));

    expect(outcome.notApplicable).toContain("kubernetes:core/v1:Service");
  });
});

describe("workload-probes-required", () => {
  it.each([k8sTypes.deployment, k8sTypes.statefulSet, k8sTypes.daemonSet, k8sTypes.pod])(
    "passes a %s whose containers have both probes",
    async (type) => {
      const outcome = await validateResource(workloadProbesRequired, workload(type));

      expect(outcome.violations).toEqual([]);
    },
  );

  it("reports a missing readiness probe", async () => {
    const outcome = await validateResource(
      workloadProbesRequired,
      deployment({ containers: [container({ readinessProbe: undefined })] }),
    );

    expect(outcome.violations).toEqual(['container "web" must declare a readinessProbe (httpGet, tcpSocket, exec or grpc)']);
  });

  it("reports a missing liveness probe", async () => {
    const outcome = await validateResource(
      workloadProbesRequired,
      deployment({ containers: [container({ livenessProbe: undefined })] }),
    );

    expect(outcome.violations).toEqual(['container "web" must declare a livenessProbe (httpGet, tcpSocket, exec or grpc)']);
  });

  it("reports a probe without a handler", async () => {
    const outcome = await validateResource(
      workloadProbesRequired,
      deployment({ containers: [container({ livenessProbe: { periodSeconds: 10 } })] }),
    );

    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0]).toContain("livenessProbe");
  });

  it("does not require probes on init containers", async () => {
    const init = container({ name: "migrate", readinessProbe: undefined, livenessProbe: undefined });

    const outcome = await validateResource(workloadProbesRequired, deployment({ initContainers: [init] }));

    expect(outcome.violations).toEqual([]);
  });

  it.each([k8sTypes.job, k8sTypes.cronJob])("does not apply to a %s, which runs to completion", async (type) => {
    const outcome = await validateResource(workloadProbesRequired, workload(type));

    expect(outcome.notApplicable).toBeDefined();
  });
});

describe("workload-image-pinned", () => {
  it.each(allWorkloadTypes)("passes a %s whose image is pinned by digest", async (type) => {
    const outcome = await validateResource(workloadImagePinned, workload(type), { requireDigest: true });

    expect(outcome.violations).toEqual([]);
  });

  it("passes a tagged image when digests are not required", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: "ghcr.io/acme/web:1.4.2" })] }),
    );

    expect(outcome.violations).toEqual([]);
  });

  it("reports the :latest tag", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: "ghcr.io/acme/web:latest" })] }),
    );

    expect(outcome.violations).toEqual(['container "web" image "ghcr.io/acme/web:latest" must not use the :latest tag']);
  });

  it("reports an untagged image", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: "localhost:5000/web" })] }),
    );

    expect(outcome.violations).toEqual([
      'container "web" image "localhost:5000/web" must be pinned to a tag or digest (an untagged image means :latest)',
    ]);
  });

  it("reports a tag without a digest where digests are required", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: "ghcr.io/acme/web:1.4.2" })] }),
      { requireDigest: true },
    );

    expect(outcome.violations).toEqual([
      'container "web" image "ghcr.io/acme/web:1.4.2" must be pinned by digest (@sha256:…) in this environment',
    ]);
  });

  it("reports a malformed digest", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: "ghcr.io/acme/web@sha256:1234" })] }),
    );

    expect(outcome.violations).toEqual([
      'container "web" image "ghcr.io/acme/web@sha256:1234" must use a digest of the form @sha256:<64 lowercase hex digits>',
    ]);
  });

  it("reports a container without an image", async () => {
    const outcome = await validateResource(workloadImagePinned, deployment({ containers: [container({ image: undefined })] }));

    expect(outcome.violations).toEqual(['container "web" must declare an image']);
  });

  it("checks init containers too", async () => {
    const init = container({ name: "migrate", image: "ghcr.io/acme/migrate" });

    const outcome = await validateResource(workloadImagePinned, deployment({ initContainers: [init] }));

    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0]).toContain('init container "migrate"');
  });

  it("accepts a :latest tag that a digest pins", async () => {
    const outcome = await validateResource(
      workloadImagePinned,
      deployment({ containers: [container({ image: `ghcr.io/acme/web:latest@${digest}` })] }),
      { requireDigest: true },
    );

    expect(outcome.violations).toEqual([]);
  });

  it("rejects a configuration parameter it does not know", async () => {
    await expect(validateResource(workloadImagePinned, deployment(), { requireDigests: true })).rejects.toThrow(
      "`requireDigests` is not a parameter of this policy",
    );
  });
});

describe("workload-run-as-non-root", () => {
  it.each(allWorkloadTypes)("passes a %s whose containers set runAsNonRoot", async (type) => {
    const outcome = await validateResource(workloadRunAsNonRoot, workload(type));

    expect(outcome.violations).toEqual([]);
  });

  it("passes when the pod sets runAsNonRoot and the container does not", async () => {
    const outcome = await validateResource(
      workloadRunAsNonRoot,
      deployment({ containers: [container({ securityContext: undefined })], podSpec: { securityContext: { runAsNonRoot: true } } }),
    );

    expect(outcome.violations).toEqual([]);
  });

  it("reports a container that does not set runAsNonRoot", async () => {
    const outcome = await validateResource(
      workloadRunAsNonRoot,
      deployment({ containers: [container({ securityContext: {} })] }),
    );

    expect(outcome.violations).toEqual([
      'container "web" must set securityContext.runAsNonRoot: true (on the container or the pod)',
    ]);
  });

  it("reports a container that overrides the pod with runAsNonRoot: false", async () => {
    const outcome = await validateResource(
      workloadRunAsNonRoot,
      deployment({
        containers: [container({ securityContext: { runAsNonRoot: false } })],
        podSpec: { securityContext: { runAsNonRoot: true } },
      }),
    );

    expect(outcome.violations).toHaveLength(1);
  });

  it("reports runAsUser 0", async () => {
    const outcome = await validateResource(
      workloadRunAsNonRoot,
      workload(k8sTypes.statefulSet, { podSpec: { securityContext: { runAsUser: 0 } } }),
    );

    expect(outcome.violations).toEqual(['container "web" must not run as user 0 (root)']);
  });

  it("reports an init container running as root", async () => {
    const init = container({ name: "chown", securityContext: { runAsNonRoot: false } });

    const outcome = await validateResource(workloadRunAsNonRoot, workload(k8sTypes.daemonSet, { initContainers: [init] }));

    expect(outcome.violations).toHaveLength(1);
    expect(outcome.violations[0]).toContain('init container "chown"');
  });
});

describe("workload-no-privileged", () => {
  it.each(allWorkloadTypes)("passes a %s without privileged containers", async (type) => {
    const outcome = await validateResource(workloadNoPrivileged, workload(type));

    expect(outcome.violations).toEqual([]);
  });

  it.each(allWorkloadTypes)("reports a privileged container in a %s", async (type) => {
    const privileged = container({ securityContext: { runAsNonRoot: true, privileged: true } });

    const outcome = await validateResource(workloadNoPrivileged, workload(type, { containers: [privileged] }));

    expect(outcome.violations).toEqual(['container "web" must not be privileged']);
  });
});

describe("workload-no-host-network", () => {
  it.each(allWorkloadTypes)("passes a %s on the pod network", async (type) => {
    const outcome = await validateResource(workloadNoHostNetwork, workload(type, { podSpec: { hostNetwork: false } }));

    expect(outcome.violations).toEqual([]);
  });

  it.each(allWorkloadTypes)("reports hostNetwork in a %s", async (type) => {
    const outcome = await validateResource(workloadNoHostNetwork, workload(type, { podSpec: { hostNetwork: true } }));

    expect(outcome.violations).toEqual(["pod spec must not use hostNetwork: true"]);
  });
});

describe("workload-recommended-labels", () => {
  it("passes a Deployment with the recommended labels", async () => {
    const outcome = await validateResource(workloadRecommendedLabels, deployment());

    expect(outcome.violations).toEqual([]);
  });

  it("passes a Service with the recommended labels", async () => {
    const outcome = await validateResource(workloadRecommendedLabels, service("ClusterIP"));

    expect(outcome.violations).toEqual([]);
  });

  it("reports a missing app.kubernetes.io/name", async () => {
    const { [recommendedLabels.name]: _name, ...labels } = appLabels;

    const outcome = await validateResource(workloadRecommendedLabels, deployment({ labels }));

    expect(outcome.violations).toEqual(["metadata.labels must include app.kubernetes.io/name"]);
  });

  it("checks the labels the config asks for", async () => {
    const outcome = await validateResource(workloadRecommendedLabels, service("ClusterIP"), {
      requiredLabels: [recommendedLabels.name, recommendedLabels.partOf],
    });

    expect(outcome.violations).toEqual(["metadata.labels must include app.kubernetes.io/part-of"]);
  });
});
