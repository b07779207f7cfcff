import { describe, expect, it } from "vitest";

import { rollgateAnnotations, rollgateLabels } from "../../components/labels";
import { k8sTypes } from "../../policies/checks/kubernetes";
import { previewNamespaceIsolation, previewNamespaceLabels, previewNoPublicLoadBalancers } from "../../policies/previews";
import { inNamespace, previewCreatedAt, previewExpiresAt, previewNamespace, service } from "./fixtures";
import type { ResourceInput } from "./helpers";
import { urnOf, validateResource, validateStack } from "./helpers";

const previewLabels = { [rollgateLabels.environment]: "preview", [rollgateLabels.pr]: "42" };
const previewAnnotations = {
  [rollgateAnnotations.createdAt]: previewCreatedAt,
  [rollgateAnnotations.expiresAt]: previewExpiresAt,
};

/**
 * A preview namespace whose name comes from a random suffix: during a preview
 * the policy SDK throws when a policy reads it, as this getter does.
 */
function unnamedPreviewNamespace(): ResourceInput {
  const metadata = {
    labels: previewLabels,
    annotations: previewAnnotations,
    get name(): string {
      throw new Error("string value at .metadata.name can't be known during preview");
    },
  };
  return { type: k8sTypes.namespace, name: "preview", props: { metadata } };
}

describe("preview-namespace-labels", () => {
  it("passes a preview namespace with its PR and expiry", async () => {
    const outcome = await validateResource(previewNamespaceLabels, previewNamespace());

    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBeUndefined();
  });

  it("reports a missing PR label", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({ labels: { [rollgateLabels.environment]: "preview" } }),
    );

    expect(outcome.violations).toEqual(["label rollgate.dev/pr must be the pull request number (got null)"]);
  });

  it("reports a PR label that is not a number", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({ labels: { ...previewLabels, [rollgateLabels.pr]: "feature-x" } }),
    );

    expect(outcome.violations).toEqual(['label rollgate.dev/pr must be the pull request number (got "feature-x")']);
  });

  it("reports a missing expiry", async () => {
    const outcome = await validateResource(previewNamespaceLabels, previewNamespace({ annotations: {} }));

    expect(outcome.violations).toEqual(["annotation rollgate.dev/expires-at must be an ISO-8601 instant (got null)"]);
  });

  it("reports an expiry that is not an instant", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({ annotations: { [rollgateAnnotations.expiresAt]: "in two days" } }),
    );

    expect(outcome.violations).toEqual([
      'annotation rollgate.dev/expires-at must be an ISO-8601 instant (got "in two days")',
    ]);
  });

  it("reports a created-at that is not an instant", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({ annotations: { ...previewAnnotations, [rollgateAnnotations.createdAt]: "yesterday" } }),
    );

    expect(outcome.violations).toEqual(['annotation rollgate.dev/created-at must be an ISO-8601 instant (got "yesterday")']);
  });

  it("reports a lifetime beyond the configured maximum", async () => {
    const outcome = await validateResource(previewNamespaceLabels, previewNamespace(), { maxTtlHours: 24 });

    expect(outcome.violations).toEqual([
      "annotation rollgate.dev/expires-at must fall within 24h after rollgate.dev/created-at (got 48h)",
      'annotation rollgate.dev/ttl-hours must be a number of hours above 0 and at most 24 (got "48")',
    ]);
  });

  it("reports an expiry before creation", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({
        annotations: { [rollgateAnnotations.createdAt]: previewExpiresAt, [rollgateAnnotations.expiresAt]: previewCreatedAt },
      }),
    );

    expect(outcome.violations).toEqual([
      "annotation rollgate.dev/expires-at must fall within 2160h after rollgate.dev/created-at (got -48h)",
    ]);
  });

  it("reports a ttl-hours that is not a number", async () => {
    const outcome = await validateResource(
      previewNamespaceLabels,
      previewNamespace({ annotations: { ...previewAnnotations, [rollgateAnnotations.ttlHours]: "two days" } }),
    );

    expect(outcome.violations).toEqual([
      'annotation rollgate.dev/ttl-hours must be a number of hours above 0 and at most 2160 (got "two days")',
    ]);
  });

  it("does not apply to other namespaces", async () => {
    const outcome = await validateResource(previewNamespaceLabels, inNamespace(k8sTypes.namespace, "", "apps"));

    expect(outcome.notApplicable).toBe("Not a preview namespace");
  });
});

describe("preview-namespace-isolation", () => {
  const isolated = (): ResourceInput[] => [
    previewNamespace(),
    inNamespace(k8sTypes.resourceQuota, "preview-pr-42", "quota", { hard: { "requests.cpu": "2" } }),
    inNamespace(k8sTypes.networkPolicy, "preview-pr-42", "default-deny", { podSelector: {} }),
  ];

  it("passes a preview namespace with a ResourceQuota and a NetworkPolicy", async () => {
    const outcome = await validateStack(previewNamespaceIsolation, isolated());

    expect(outcome.violations).toEqual([]);
  });

  it("reports a preview namespace without a ResourceQuota", async () => {
    const outcome = await validateStack(
      previewNamespaceIsolation,
      isolated().filter((resource) => resource.type !== k8sTypes.resourceQuota),
    );

    expect(outcome.violations).toEqual(['preview namespace "preview-pr-42" must contain a ResourceQuota']);
    expect(outcome.urns).toEqual(["urn:pulumi:test::rollgate::kubernetes:core/v1:Namespace::preview-pr-42"]);
  });

  it("reports a preview namespace without a NetworkPolicy", async () => {
    const outcome = await validateStack(
      previewNamespaceIsolation,
      isolated().filter((resource) => resource.type !== k8sTypes.networkPolicy),
    );

    expect(outcome.violations).toEqual(['preview namespace "preview-pr-42" must contain a NetworkPolicy']);
  });

  it("does not count a ResourceQuota in another namespace", async () => {
    const resources = isolated().map((resource) =>
      resource.type === k8sTypes.resourceQuota ? inNamespace(k8sTypes.resourceQuota, "apps", "quota") : resource,
    );

    const outcome = await validateStack(previewNamespaceIsolation, resources);

    expect(outcome.violations).toEqual(['preview namespace "preview-pr-42" must contain a ResourceQuota']);
  });

  it("finds what is in a namespace whose name is not known yet through property dependencies", async () => {
    const namespace = unnamedPreviewNamespace();
    const inIt = { metadata: [urnOf(namespace)] };

    const outcome = await validateStack(previewNamespaceIsolation, [
      namespace,
      { ...inNamespace(k8sTypes.resourceQuota, "ignored", "quota"), propertyDependencies: inIt },
      { ...inNamespace(k8sTypes.networkPolicy, "ignored", "isolation"), propertyDependencies: inIt },
      inNamespace(k8sTypes.configMap, "rollgate-system", "elsewhere"),
    ]);

    expect(outcome.violations).toEqual([]);
  });

  it("reports a namespace whose name is not known yet by its resource name", async () => {
    const namespace = unnamedPreviewNamespace();

    const outcome = await validateStack(previewNamespaceIsolation, [
      namespace,
      { ...inNamespace(k8sTypes.resourceQuota, "ignored", "quota"), propertyDependencies: { metadata: [urnOf(namespace)] } },
    ]);

    expect(outcome.violations).toEqual(['preview namespace "preview" must contain a NetworkPolicy']);
  });

  it("does not apply to a stack without preview namespaces", async () => {
    const outcome = await validateStack(previewNamespaceIsolation, [inNamespace(k8sTypes.namespace, "", "apps")]);

    expect(outcome.notApplicable).toBe("The stack has no preview namespace");
  });
});

describe("preview-no-public-load-balancers", () => {
  const previewService = (type: string) =>
    service(type, "preview-pr-42", { [rollgateLabels.environment]: "preview" });
  const awsLoadBalancer = (props: Record<string, unknown>): ResourceInput => ({
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: "edge",
    props: { loadBalancerType: "application", ...props },
  });
  const cloudflareLoadBalancer: ResourceInput = {
    type: "cloudflare:index/loadBalancer:LoadBalancer",
    name: "edge",
    props: { zoneId: "z", name: "pr-42.example.com", defaultPools: ["p"], fallbackPool: "p" },
  };
  const preview = { stackIsPreview: true };

  it("passes a ClusterIP Service in a preview", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, previewService("ClusterIP"), preview);

    expect(outcome.notApplicable).toBe("Not a load balancer");
  });

  it("passes an internal AWS load balancer in a preview", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, awsLoadBalancer({ internal: true }), preview);

    expect(outcome.notApplicable).toBe("Not a load balancer");
  });

  it("reports a LoadBalancer Service in a preview stack", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, service("LoadBalancer"), preview);

    expect(outcome.violations).toEqual([
      "previews must not create public load balancers: this is a Service of type LoadBalancer; reach previews through the shared gateway",
    ]);
  });

  it("reports a LoadBalancer Service labelled as preview in any stack", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, previewService("LoadBalancer"));

    expect(outcome.violations).toHaveLength(1);
  });

  it("reports an internet-facing AWS load balancer in a preview stack", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, awsLoadBalancer({}), preview);

    expect(outcome.violations).toEqual([
      "previews must not create public load balancers: this is an internet-facing AWS load balancer; reach previews through the shared gateway",
    ]);
  });

  it("reports an AWS load balancer tagged as preview in any stack", async () => {
    const outcome = await validateResource(
      previewNoPublicLoadBalancers,
      awsLoadBalancer({ internal: false, tags: { environment: "preview", owner: "team-web" } }),
    );

    expect(outcome.violations).toHaveLength(1);
  });

  it("reports a Cloudflare load balancer in a preview stack", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, cloudflareLoadBalancer, preview);

    expect(outcome.violations).toEqual([
      "previews must not create public load balancers: this is a Cloudflare load balancer; reach previews through the shared gateway",
    ]);
  });

  it("leaves load balancers of other environments alone", async () => {
    const outcome = await validateResource(previewNoPublicLoadBalancers, service("LoadBalancer"), { stackIsPreview: false });

    expect(outcome.violations).toEqual([]);
  });

  it("reports, at stack level, an unlabelled LoadBalancer Service in a preview namespace", async () => {
    const outcome = await validateStack(previewNoPublicLoadBalancers, [
      previewNamespace(),
      service("LoadBalancer", "preview-pr-42"),
    ]);

    expect(outcome.violations).toHaveLength(1);
    expect(outcome.urns).toEqual(["urn:pulumi:test::rollgate::kubernetes:core/v1:Service::web"]);
  });

  it("does not report again at stack level what the resource check reported", async () => {
    const outcome = await validateStack(
      previewNoPublicLoadBalancers,
      [previewNamespace(), previewService("LoadBalancer"), service("LoadBalancer", "preview-pr-42")],
      preview,
    );

    expect(outcome.violations).toEqual([]);
  });

  it("reports, at stack level, a LoadBalancer Service that takes its namespace from a preview namespace", async () => {
    const namespace = unnamedPreviewNamespace();

    const outcome = await validateStack(previewNoPublicLoadBalancers, [
      namespace,
      { ...service("LoadBalancer", "ignored"), propertyDependencies: { metadata: [urnOf(namespace)] } },
    ]);

    expect(outcome.violations).toHaveLength(1);
  });

  it("passes, at stack level, LoadBalancer Services outside preview namespaces", async () => {
    const outcome = await validateStack(previewNoPublicLoadBalancers, [previewNamespace(), service("LoadBalancer", "apps")]);

    expect(outcome.violations).toEqual([]);
  });
});
