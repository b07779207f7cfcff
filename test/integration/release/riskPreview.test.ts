/**
 * Risk classification from a real preview: the Pulumi engine previews the
 * change on a running stack (a Service and a Deployment on the local
 * kube-apiserver) without keeping its config; an image-only change is `low`,
 * a change that replaces the Service is `high` and names the Service.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import type { StackConfig } from "../../../automation/engine/port";
import { assessReleaseRisk } from "../../../automation/release/risk/assessRelease";
import { parseRiskConfig } from "../../../automation/release/risk/riskConfig";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";

const namespaceName = `it-risk-${process.pid}`;

async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config("it");
  const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: namespaceName } });
  const labels = { "app.kubernetes.io/name": "web" };
  new k8s.core.v1.Service("web", {
    // The name is immutable: a new one makes the engine replace the Service.
    metadata: { name: config.require("serviceName"), namespace: namespace.metadata.name, labels },
    spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
  });
  new k8s.apps.v1.Deployment("web", {
    metadata: { name: "web", namespace: namespace.metadata.name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "web", image: config.require("image") }] } },
    },
  });
  return {};
}

const deployed = { "it:image": { value: "registry.local/web:1.0.0" }, "it:serviceName": { value: "web" } } satisfies StackConfig;

describe("risk classification from a real preview", () => {
  const engine = new LocalStackEngine({ program, projectName: "rollgate-it", workspacesDir: mkdtempSync(join(tmpdir(), "rg-ws-risk-")) });
  const stack = `it-risk-${process.pid}`;
  const { core } = kubeClients();
  const sources = { engine, history: () => Promise.resolve([]) };
  const riskConfig = parseRiskConfig({});
  const assess = (config: StackConfig) =>
    assessReleaseRisk(sources, { environment: "staging", stack, config }, riskConfig, new Date("2026-12-02T10:00:00Z"));

  beforeAll(async () => {
    await engine.up(stack, deployed);
  });

  afterAll(async () => {
    await engine.destroy(stack);
    await eventually(() => namespaceGone(core, namespaceName), 60_000);
  });

  it("classifies an image-only change low and picks the low plan", async () => {
    const risk = await assess({ "it:image": { value: "registry.local/web:1.1.0" } });

    expect(risk.level).toBe("low");
    expect(risk.reasons.map((reason) => reason.detail)).toContain("only workloads are updated (an image-only change)");
    expect(risk.plan).toMatchObject({ planLevel: "low", approvalRequired: false });
    expect(risk.plan.steps.map((step) => step.weight)).toEqual([25, 100]);
  });

  it("classifies a change that replaces the Service high, naming it, and asks for approval", async () => {
    const risk = await assess({ "it:serviceName": { value: "web-v2" } });

    expect(risk.level).toBe("high");
    const forcing = risk.reasons.filter((reason) => reason.forcesHigh);
    expect(forcing.map((reason) => reason.detail)).toEqual([expect.stringMatching(/^replaces kubernetes:core\/v1:Service urn:pulumi:.*::web, a stateful or networking resource$/)]);
    expect(risk.plan).toMatchObject({ planLevel: "high", approvalRequired: true });
  });

  it("kept neither change: the stack's config and the live Service are as deployed", async () => {
    expect(await engine.config(stack)).toMatchObject({ "it:image": "registry.local/web:1.0.0", "it:serviceName": "web" });
    const service = await core.readNamespacedService({ name: "web", namespace: namespaceName });
    expect(service.metadata?.name).toBe("web");
  });
});
