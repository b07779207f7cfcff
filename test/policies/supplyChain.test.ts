import { describe, expect, it } from "vitest";

import { appLabels, container, deployment } from "./fixtures";
import { releaseAnnotations, rollgateLabels } from "../../components/labels";
import { workloadImageVerified } from "../../policies/supplyChain";
import { validateResource } from "./helpers";

const verified = `sha256:${"c".repeat(64)}`;
const other = `sha256:${"d".repeat(64)}`;
const image = (digest: string) => `ghcr.io/acme/web@${digest}`;
const production = { requireVerifiedDigest: true, tracks: ["stable", "canary"] };
const stamped = { [releaseAnnotations.verifiedDigest]: verified };

describe("workload-image-verified", () => {
  it("passes a Deployment running the digest the gate verified", async () => {
    const outcome = await validateResource(workloadImageVerified, deployment({ annotations: stamped, containers: [container({ image: image(verified) })] }), production);

    expect(outcome.violations).toEqual([]);
  });

  it("reports a Deployment that carries no verified digest", async () => {
    const outcome = await validateResource(workloadImageVerified, deployment({ containers: [container({ image: image(verified) })] }), production);

    expect(outcome.violations).toEqual([
      "annotation rollgate.dev/verified-digest is missing: no image of this workload passed the supply-chain gate (a release with a trust policy stamps it)",
    ]);
  });

  it("reports an image whose digest is not the verified one, and one pinned by tag only", async () => {
    const containers = [container({ image: image(other) }), container({ name: "sidecar", image: "ghcr.io/acme/proxy:1.0" })];
    const outcome = await validateResource(workloadImageVerified, deployment({ annotations: stamped, containers }), production);

    expect(outcome.violations).toEqual([
      `container "web" image ${image(other)} is pinned to ${other}, not the verified ${verified}`,
      `container "sidecar" image ghcr.io/acme/proxy:1.0 is not pinned by digest, not the verified ${verified}`,
    ]);
  });

  it("leaves workloads outside the configured tracks alone (Rollgate's own service has none)", async () => {
    const containers = [container({ image: image(other) })];
    const untracked = deployment({ labels: appLabels, podLabels: appLabels, containers });
    const baselineLabels = { ...appLabels, [rollgateLabels.track]: "baseline" };
    const baseline = deployment({ labels: baselineLabels, podLabels: baselineLabels, containers });

    expect((await validateResource(workloadImageVerified, untracked, production)).violations).toEqual([]);
    expect((await validateResource(workloadImageVerified, baseline, production)).violations).toEqual([]);
  });

  it("does not apply where verified digests are not required", async () => {
    const outcome = await validateResource(workloadImageVerified, deployment({ containers: [container({ image: image(other) })] }), { requireVerifiedDigest: false });

    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBe("Verified images are not required in this environment");
  });
});
