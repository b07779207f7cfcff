/**
 * The supply-chain gate's verdict where an environment requires it: the
 * images of release-managed workloads are the digests the gate verified. The
 * release controller stamps the verified digest in stack config, and the
 * program puts it on each track's Deployment as `rollgate.dev/verified-digest`.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";

import { releaseAnnotations } from "../components/labels";
import { readConfig } from "./checks/config";
import { unverifiedImageProblems } from "./checks/images";
import { annotationsOf, containersOf, describeContainer, k8sTypes, podSpecOf, trackOf } from "./checks/kubernetes";
import { text } from "./checks/values";
import { reportEach, validateResourceOfTypes } from "./validation";

export interface ImageVerifiedConfig {
  readonly requireVerifiedDigest: boolean;
  readonly tracks: readonly string[];
}

const imageVerifiedSchema: PolicyConfigSchema = {
  properties: {
    requireVerifiedDigest: {
      type: "boolean",
      default: false,
      description: "Release-managed Deployments must run the digest the supply-chain gate verified (rollgate.dev/verified-digest).",
    },
    tracks: {
      type: "array",
      items: { type: "string", minLength: 1 },
      uniqueItems: true,
      default: ["stable", "canary"],
      description: "Values of rollgate.dev/track the rule applies to.",
    },
  },
};

export const workloadImageVerified: ResourceValidationPolicy = {
  name: "workload-image-verified",
  description: "Checks that release-managed Deployments run images pinned to the digest the supply-chain gate verified.",
  enforcementLevel: "advisory",
  configSchema: imageVerifiedSchema,
  validateResource: validateResourceOfTypes([k8sTypes.deployment], (props, args, reportViolation) => {
    const { requireVerifiedDigest, tracks } = readConfig<ImageVerifiedConfig>("workload-image-verified", imageVerifiedSchema, args.getConfig());
    if (!requireVerifiedDigest) {
      return args.notApplicable("Verified images are not required in this environment");
    }
    const track = trackOf(args.type, props);
    if (track === undefined || !tracks.includes(track)) {
      return;
    }
    const containers = containersOf(podSpecOf(args.type, props) ?? {}).map((container) => ({
      label: describeContainer(container),
      image: text(container.spec.image),
    }));
    const annotation = releaseAnnotations.verifiedDigest;
    reportEach(reportViolation, unverifiedImageProblems(containers, text(annotationsOf(props)[annotation]), annotation));
  }),
};
