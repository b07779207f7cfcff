import { describe, expect, it } from "vitest";

import { cloudResourcesTagged } from "../../policies/cloud";
import type { ResourceInput } from "./helpers";
import { validateResource } from "./helpers";

const bucket = (tags?: Record<string, string>, provider?: ResourceInput["provider"]): ResourceInput => ({
  type: "aws:s3/bucketV2:BucketV2",
  name: "artifacts",
  props: tags === undefined ? {} : { tags },
  ...(provider ? { provider } : {}),
});

const dnsRecord = (tags?: string[]): ResourceInput => ({
  type: "cloudflare:index/dnsRecord:DnsRecord",
  name: "pr-42",
  props: { zoneId: "z", name: "pr-42", type: "CNAME", ttl: 1, ...(tags ? { tags } : {}) },
});

describe("cloud-resources-tagged", () => {
  it("passes an AWS resource tagged with owner and environment", async () => {
    const outcome = await validateResource(cloudResourcesTagged, bucket({ owner: "team-web", environment: "production" }));

    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBeUndefined();
  });

  it("takes tags from the AWS provider's defaultTags", async () => {
    const provider = {
      type: "pulumi:providers:aws",
      props: { region: "eu-west-1", defaultTags: JSON.stringify({ tags: { owner: "team-web" } }) },
    };

    const outcome = await validateResource(cloudResourcesTagged, bucket({ environment: "production" }, provider));

    expect(outcome.violations).toEqual([]);
  });

  it("reports an AWS resource without an owner tag", async () => {
    const outcome = await validateResource(cloudResourcesTagged, bucket({ environment: "production" }));

    expect(outcome.violations).toEqual(["resource must be tagged with owner"]);
  });

  it("reports a taggable AWS resource without tags", async () => {
    const outcome = await validateResource(cloudResourcesTagged, bucket());

    expect(outcome.violations).toEqual(["resource must be tagged with owner, environment"]);
  });

  it("checks any AWS resource that sets tags", async () => {
    const outcome = await validateResource(cloudResourcesTagged, {
      type: "aws:ssm/parameter:Parameter",
      props: { tags: { owner: "team-web" } },
    });

    expect(outcome.violations).toEqual(["resource must be tagged with environment"]);
  });

  it("does not apply to an AWS resource that cannot be tagged", async () => {
    const outcome = await validateResource(cloudResourcesTagged, {
      type: "aws:s3/bucketPolicy:BucketPolicy",
      props: { bucket: "artifacts", policy: "{}" },
    });

    expect(outcome.notApplicable).toBe("Not a taggable AWS or Cloudflare resource");
  });

  it("passes a Cloudflare DNS record with name:value tags", async () => {
    const outcome = await validateResource(cloudResourcesTagged, dnsRecord(["owner:team-web", "environment:preview"]));

    expect(outcome.violations).toEqual([]);
  });

  it("reports a Cloudflare DNS record without an environment tag", async () => {
    const outcome = await validateResource(cloudResourcesTagged, dnsRecord(["owner:team-web", "environment:"]));

    expect(outcome.violations).toEqual(["resource must be tagged with environment"]);
  });

  it("checks the tags the config asks for", async () => {
    const outcome = await validateResource(cloudResourcesTagged, dnsRecord(["owner:team-web"]), {
      requiredTags: ["owner", "cost-center"],
    });

    expect(outcome.violations).toEqual(["resource must be tagged with cost-center"]);
  });
});
