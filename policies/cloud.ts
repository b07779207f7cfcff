/** Policies for cloud resources outside the cluster (AWS, Cloudflare). */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";

import { readConfig } from "./checks/config";
import { cloudTags, cloudTagsOf, missingTags } from "./checks/tags";

export interface CloudTagsConfig {
  readonly requiredTags: readonly string[];
}

const cloudTagsSchema: PolicyConfigSchema = {
  properties: {
    requiredTags: {
      type: "array",
      items: { type: "string", minLength: 1 },
      uniqueItems: true,
      default: [cloudTags.owner, cloudTags.environment],
      description: "Tags every taggable AWS and Cloudflare resource must carry (Cloudflare as name:value).",
    },
  },
};

export const cloudResourcesTagged: ResourceValidationPolicy = {
  name: "cloud-resources-tagged",
  description: "Checks that AWS and Cloudflare resources are tagged with their owner and environment.",
  enforcementLevel: "advisory",
  configSchema: cloudTagsSchema,
  validateResource: (args, reportViolation) => {
    const tags = cloudTagsOf(args.type, args.props, args.provider?.props);
    if (tags === undefined) {
      return args.notApplicable("Not a taggable AWS or Cloudflare resource");
    }
    const { requiredTags } = readConfig<CloudTagsConfig>("cloud-resources-tagged", cloudTagsSchema, args.getConfig());
    const missing = missingTags(tags, requiredTags);
    if (missing.length > 0) {
      reportViolation(`resource must be tagged with ${missing.join(", ")}`);
    }
  },
};
