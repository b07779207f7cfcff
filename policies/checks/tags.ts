/**
 * Owner/environment tags on cloud resources. AWS tags are a map (merged with
 * the provider's `defaultTags`); Cloudflare tags are `name:value` strings on
 * the few resource types that have them.
 */
import { isRecord, list, type Props, record, stringMap, text } from "./values";

/** Tag names Rollgate expects on cloud resources. */
export const cloudTags = {
  owner: "owner",
  environment: "environment",
} as const;

/**
 * AWS types that take `tags`, beyond any resource whose inputs already set
 * `tags`. A resource of another type with no `tags` input is not checked:
 * not every AWS resource can be tagged.
 */
export const awsTaggableTypes: ReadonlySet<string> = new Set([
  "aws:acm/certificate:Certificate",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:apigatewayv2/api:Api",
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:dynamodb/table:Table",
  "aws:ec2/instance:Instance",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ecr/repository:Repository",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/service:Service",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elb/loadBalancer:LoadBalancer",
  "aws:iam/role:Role",
  "aws:kms/key:Key",
  "aws:lambda/function:Function",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:rds/cluster:Cluster",
  "aws:rds/instance:Instance",
  "aws:route53/zone:Zone",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:secretsmanager/secret:Secret",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
  "aws:wafv2/webAcl:WebAcl",
]);

/** Cloudflare types with a `tags` list (`name:value` strings). */
export const cloudflareTaggedTypes: ReadonlySet<string> = new Set([
  "cloudflare:index/dnsRecord:DnsRecord",
  "cloudflare:index/record:Record",
  "cloudflare:index/worker:Worker",
]);

/**
 * The provider's `defaultTags.tags`. Provider inputs may arrive with nested
 * values JSON-encoded, so a string is parsed.
 */
export function awsProviderDefaultTags(providerProps: Props | undefined): Readonly<Record<string, string>> {
  let defaultTags: unknown = providerProps?.defaultTags;
  if (typeof defaultTags === "string") {
    try {
      defaultTags = JSON.parse(defaultTags);
    } catch {
      return {};
    }
  }
  return stringMap(record(defaultTags).tags);
}

/** `name:value` strings as a map; a bare `name` has the empty value. */
export function parseCloudflareTags(tags: unknown): Readonly<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const tag of list(tags)) {
    if (typeof tag === "string") {
      const colon = tag.indexOf(":");
      result[colon === -1 ? tag : tag.slice(0, colon)] = colon === -1 ? "" : tag.slice(colon + 1);
    }
  }
  return result;
}

/**
 * The tags of a cloud resource, or `undefined` when the type is not a
 * taggable AWS or Cloudflare resource.
 */
export function cloudTagsOf(
  type: string,
  props: Props,
  providerProps?: Props,
): Readonly<Record<string, string>> | undefined {
  if (type.startsWith("aws:") && (awsTaggableTypes.has(type) || isRecord(props.tags))) {
    return { ...awsProviderDefaultTags(providerProps), ...stringMap(props.tags) };
  }
  if (cloudflareTaggedTypes.has(type)) {
    return parseCloudflareTags(props.tags);
  }
  return undefined;
}

/** The names among `required` that `tags` lacks or leaves empty. */
export function missingTags(tags: Readonly<Record<string, string>>, required: readonly string[]): string[] {
  return required.filter((name) => text(tags[name]) === undefined);
}
