import { describe, expect, it } from "vitest";

import { recommendedLabels, releaseAnnotations, rollgateLabels } from "../../components/labels";
import { k8sTypes } from "../../policies/checks/kubernetes";
import { stableImageThroughRelease, workloadDisruptionBudget, workloadMinReplicas } from "../../policies/environments";
import { appLabels, deployment, inNamespace, workload } from "./fixtures";
import { validateResource, validateStack } from "./helpers";

const production = { requireRelease: true, allowedDeployers: ["rollgate-release-controller"] };
const released = {
  [releaseAnnotations.releaseId]: "rel-20250601-0007",
  [releaseAnnotations.deployedBy]: "rollgate-release-controller",
};
const stableLabels = { ...appLabels, [rollgateLabels.track]: "stable" };
const canaryLabels = { ...appLabels, [rollgateLabels.track]: "canary" };

describe("stable-image-through-release", () => {
  it("passes a stable Deployment released by an allowed deployer", async () => {
    const outcome = await validateResource(stableImageThroughRelease, deployment({ annotations: released }), production);

    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBeUndefined();
  });

  it("reports a stable Deployment without a release id", async () => {
    const outcome = await validateResource(
      stableImageThroughRelease,
      deployment({ annotations: { [releaseAnnotations.deployedBy]: "rollgate-release-controller" } }),
      production,
    );

    expect(outcome.violations).toEqual([
      "stable workloads must change only through a release: annotation rollgate.dev/release-id is missing",
    ]);
  });

  it("reports a stable Deployment without a deployer", async () => {
    const outcome = await validateResource(
      stableImageThroughRelease,
      deployment({ annotations: { [releaseAnnotations.releaseId]: "rel-1" } }),
      production,
    );

    expect(outcome.violations).toEqual(["annotation rollgate.dev/deployed-by must name the deployer"]);
  });

  it("reports a deployer without permission for the environment", async () => {
    const outcome = await validateResource(
      stableImageThroughRelease,
      deployment({ annotations: { ...released, [releaseAnnotations.deployedBy]: "alice-laptop" } }),
      production,
    );

    expect(outcome.violations).toEqual([
      'deployer "alice-laptop" must have permission to deploy to this environment (allowed: rollgate-release-controller)',
    ]);
  });

  it("allows nobody when the allowed deployers list is empty", async () => {
    const outcome = await validateResource(stableImageThroughRelease, deployment({ annotations: released }), {
      requireRelease: true,
      allowedDeployers: [],
    });

    expect(outcome.violations).toEqual([
      'deployer "rollgate-release-controller" must have permission to deploy to this environment (nobody is allowed)',
    ]);
  });

  it("recognises the stable track from the pod template labels", async () => {
    const outcome = await validateResource(
      stableImageThroughRelease,
      deployment({ labels: appLabels, podLabels: stableLabels }),
      production,
    );

    expect(outcome.violations).toHaveLength(2);
  });

  it("leaves canary Deployments to the release controller", async () => {
    const outcome = await validateResource(
      stableImageThroughRelease,
      deployment({ labels: canaryLabels, podLabels: canaryLabels }),
      production,
    );

    expect(outcome.violations).toEqual([]);
  });

  it("does not apply where the config does not require releases", async () => {
    const outcome = await validateResource(stableImageThroughRelease, deployment());

    expect(outcome.notApplicable).toBe("Releases are not required in this environment");
  });

  it("rejects an allowedDeployers value that is not a list of names", async () => {
    await expect(
      validateResource(stableImageThroughRelease, deployment(), { requireRelease: true, allowedDeployers: "ci" }),
    ).rejects.toThrow("`allowedDeployers` must be of type array");
  });
});

describe("workload-min-replicas", () => {
  it.each([k8sTypes.deployment, k8sTypes.statefulSet])("passes a %s with 3 replicas", async (type) => {
    const outcome = await validateResource(workloadMinReplicas, workload(type, { replicas: 3 }));

    expect(outcome.violations).toEqual([]);
  });

  it("reports a single replica", async () => {
    const outcome = await validateResource(workloadMinReplicas, deployment({ replicas: 1 }));

    expect(outcome.violations).toEqual(["spec.replicas must be at least 2 (got 1)"]);
  });

  it("counts an unset replica count as 1", async () => {
    const subject = deployment();
    const spec = subject.props.spec as Record<string, unknown>;
    delete spec.replicas;

    const outcome = await validateResource(workloadMinReplicas, subject);

    expect(outcome.violations).toEqual(["spec.replicas must be at least 2 (got 1)"]);
  });

  it("uses the configured minimum", async () => {
    const outcome = await validateResource(workloadMinReplicas, deployment({ replicas: 2 }), { minReplicas: 3 });

    expect(outcome.violations).toEqual(["spec.replicas must be at least 3 (got 2)"]);
  });

  it("exempts canary workloads", async () => {
    const outcome = await validateResource(
      workloadMinReplicas,
      deployment({ replicas: 1, labels: canaryLabels, podLabels: canaryLabels }),
    );

    expect(outcome.violations).toEqual([]);
  });
});

describe("workload-disruption-budget", () => {
  const budget = (namespace: string, selector: unknown) =>
    inNamespace(k8sTypes.podDisruptionBudget, namespace, "web-pdb", { minAvailable: 1, selector });

  it("passes a Deployment covered by a PodDisruptionBudget", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [
      deployment(),
      budget("apps", { matchLabels: { [recommendedLabels.name]: "web" } }),
    ]);

    expect(outcome.violations).toEqual([]);
  });

  it("understands matchExpressions", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [
      deployment(),
      budget("apps", { matchExpressions: [{ key: rollgateLabels.track, operator: "In", values: ["stable", "canary"] }] }),
    ]);

    expect(outcome.violations).toEqual([]);
  });

  it("reports a Deployment without a PodDisruptionBudget", async () => {
    const subject = deployment();

    const outcome = await validateStack(workloadDisruptionBudget, [subject]);

    expect(outcome.violations).toEqual([
      'Deployment "web" must be covered by a PodDisruptionBudget in namespace "apps" whose selector matches its pod labels',
    ]);
    expect(outcome.urns).toEqual(["urn:pulumi:test::rollgate::kubernetes:apps/v1:Deployment::web"]);
  });

  it("reports a PodDisruptionBudget in another namespace", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [
      workload(k8sTypes.statefulSet),
      budget("other", { matchLabels: {} }),
    ]);

    expect(outcome.violations).toHaveLength(1);
  });

  it("reports a PodDisruptionBudget whose selector does not match", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [
      deployment(),
      budget("apps", { matchLabels: { [rollgateLabels.track]: "canary" } }),
    ]);

    expect(outcome.violations).toHaveLength(1);
  });

  it("reports a PodDisruptionBudget without a selector, which selects nothing", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [deployment(), budget("apps", undefined)]);

    expect(outcome.violations).toHaveLength(1);
  });

  it("exempts canary workloads", async () => {
    const outcome = await validateStack(workloadDisruptionBudget, [
      deployment({ labels: canaryLabels, podLabels: canaryLabels }),
    ]);

    expect(outcome.violations).toEqual([]);
  });
});
