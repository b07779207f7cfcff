import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { describe, expect, it, vi } from "vitest";
import { LocalStackEngine } from "../../automation/engine/localStackEngine";
import { eventually, kubeClients, namespaceGone } from "../support/kube";

const namespaceName = `it-engine-${process.pid}`;

/** A minimal program: a Namespace and a Deployment whose image and replicas come from config; a secret output on request. */
async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config("it");
  const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: namespaceName } });
  const labels = { "app.kubernetes.io/name": "hello" };
  const deployment = new k8s.apps.v1.Deployment("hello", {
    metadata: { name: "hello", namespace: namespace.metadata.name, labels },
    spec: {
      replicas: config.requireNumber("replicas"),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "hello", image: config.require("image"), ports: [{ containerPort: 8080 }] }] },
      },
    },
  });
  const secret = config.getBoolean("exposeToken") ? { token: pulumi.secret("s3cr3t-token") } : {};
  return { namespace: namespace.metadata.name, deployment: deployment.metadata.name, replicas: config.requireNumber("replicas"), labels, ...secret };
}

describe("the engine layer against the real Pulumi engine and kube-apiserver", () => {
  const engine = new LocalStackEngine({ program, projectName: "rollgate-it", workspacesDir: mkdtempSync(join(tmpdir(), "rg-ws-")) });
  const stack = `it-engine-${process.pid}`;
  const { core, apps } = kubeClients();

  it("deploys a namespace and deployment, updates it, previews a change without keeping its config, destroys it and removes the stack", async () => {
    const cliOutputReads = vi.spyOn(Stack.prototype, "outputs");
    const cliHistoryReads = vi.spyOn(Stack.prototype, "history");
    const created = await engine.up(stack, { "it:image": { value: "registry.local/hello:1.0.0" }, "it:replicas": { value: "2" } });
    const plainOutputs = { namespace: namespaceName, deployment: "hello", replicas: 2, labels: { "app.kubernetes.io/name": "hello" } };
    // Read from the update's engine events, without a CLI run; they are what the CLI's `stack output` reads.
    expect(created.outputs).toEqual(plainOutputs);
    expect(cliOutputReads).not.toHaveBeenCalled();
    expect(cliHistoryReads).not.toHaveBeenCalled();
    expect(await engine.outputs(stack)).toEqual(plainOutputs);
    expect(created.changes.create).toBe(3); // stack, namespace, deployment
    const { runStarted = -1, firstEvent = -1, firstStep = -1, lastStepDone = -1, total } = created.phases ?? { total: -1 };
    expect([0, runStarted, firstEvent, firstStep, lastStepDone, total]).toEqual([0, runStarted, firstEvent, firstStep, lastStepDone, total].sort((a, b) => a - b));

    const deployment = await apps.readNamespacedDeployment({ name: "hello", namespace: namespaceName });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("registry.local/hello:1.0.0");
    expect(deployment.status?.availableReplicas).toBe(2);
    expect(deployment.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");

    const updated = await engine.up(stack, { "it:image": { value: "registry.local/hello:1.1.0" }, "it:replicas": { value: "3" } });
    expect(updated.changes).toMatchObject({ update: 1, same: 2 });
    const after = await apps.readNamespacedDeployment({ name: "hello", namespace: namespaceName });
    expect(after.spec?.template.spec?.containers[0]?.image).toBe("registry.local/hello:1.1.0");
    expect(after.status?.availableReplicas).toBe(3);
    expect(updated.outputs).toMatchObject({ replicas: 3 });

    // The events mask a secret output: its plain value comes from the CLI.
    const readsBefore = cliOutputReads.mock.calls.length;
    const withSecret = await engine.up(stack, { "it:exposeToken": { value: "true" } });
    expect(withSecret.outputs).toMatchObject({ replicas: 3, token: "s3cr3t-token" });
    expect(cliOutputReads.mock.calls.length).toBe(readsBefore + 1);
    expect(withSecret.changes).toMatchObject({ same: 3 });

    const preview = await engine.preview(stack, { "it:image": { value: "registry.local/hello:2.0.0" } });
    expect(Object.values(preview.steps)).toEqual(["update"]);
    expect((await engine.config(stack))["it:image"]).toBe("registry.local/hello:1.1.0"); // a preview changes no config

    await engine.destroy(stack);
    expect(cliHistoryReads).not.toHaveBeenCalled(); // no update, destroy or refresh re-reads its summary
    expect(await eventually(() => namespaceGone(core, namespaceName), 60_000)).toBe(true);
    expect((await engine.list()).map((summary) => summary.name)).not.toContain(stack);
  });
});
