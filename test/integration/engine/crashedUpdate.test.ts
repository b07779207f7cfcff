/**
 * An update killed after it changed a live object but before Pulumi recorded
 * it (the state keeps the old inputs and a pending `updating` operation):
 * `recover` must refresh that resource, so the next update that asks for the
 * old value again puts it back instead of finding "no changes" and leaving
 * the crash's value live. This is how a release taken over after a SIGKILL
 * rolls the route back to weight 0. Real engine and real cluster; the state is
 * on a file:// backend so the test can write the crash's checkpoint.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { kubeClients } from "../../support/kube";

const namespace = "default";
const name = `rg-crashed-update-${process.pid}`;

async function program(): Promise<Record<string, unknown>> {
  const value = new pulumi.Config("it").require("value");
  const map = new k8s.core.v1.ConfigMap("settings", { metadata: { name, namespace }, data: { value } }, { deleteBeforeReplace: true });
  return { urn: map.urn };
}

describe("recovering a stack after an update that crashed mid-way", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-crashed-update-"));
  const backendDir = mkdtempSync(join(tmpdir(), "rg-crashed-update-state-"));
  const savedBackend = process.env.PULUMI_BACKEND_URL;
  const engine = new LocalStackEngine({ program, projectName: "rollgate-it", workspacesDir });
  const stack = `it-crashed-update-${process.pid}`;
  const { core } = kubeClients();

  beforeAll(() => {
    process.env.PULUMI_BACKEND_URL = `file://${backendDir}`;
  });

  afterAll(async () => {
    await engine.destroy(stack).catch(() => undefined);
    if (savedBackend === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = savedBackend;
    rmSync(workspacesDir, { recursive: true, force: true });
    rmSync(backendDir, { recursive: true, force: true });
  });

  async function liveValue(): Promise<string | undefined> {
    return (await core.readNamespacedConfigMap({ name, namespace })).data?.value;
  }

  it("refreshes what the crashed update touched, so asking for the recorded value again changes the live object", async () => {
    const { outputs } = await engine.up(stack, { "it:value": { value: "0" } });
    expect(await liveValue()).toBe("0");

    // What a SIGKILL during `up` with value 30 leaves: the live object changed, the state not, an operation pending.
    await core.patchNamespacedConfigMap({ name, namespace, body: [{ op: "replace", path: "/data/value", value: "30" }] });
    injectPendingUpdate(stack, String(outputs.urn));

    await engine.recover(stack);
    const after = await engine.up(stack, { "it:value": { value: "0" } });

    // A ConfigMap whose data changes is replaced (the provider's default); any change shows the diff saw the live value.
    expect((after.changes.update ?? 0) + (after.changes.replace ?? 0)).toBe(1);
    expect(await liveValue()).toBe("0");
  });

  /**
   * Adds a pending `updating` operation on `urn` to the stack's checkpoint, as the CLI writes before it updates
   * (`pulumi stack import` drops pending operations, so the file backend's checkpoint is edited directly).
   */
  function injectPendingUpdate(stackName: string, urn: string): void {
    const file = join(backendDir, ".pulumi", "stacks", "rollgate-it", `${stackName}.json`);
    const checkpoint = JSON.parse(readFileSync(file, "utf8")) as { checkpoint: { latest: { resources: { urn: string }[]; pending_operations?: unknown[] } } };
    const { latest } = checkpoint.checkpoint;
    const resource = latest.resources.find((candidate) => candidate.urn === urn);
    expect(resource).toBeDefined();
    latest.pending_operations = [{ resource, type: "updating" }];
    writeFileSync(file, JSON.stringify(checkpoint));
  }

});
