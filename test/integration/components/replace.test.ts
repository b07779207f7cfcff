/**
 * A WebService whose Deployment and Service are replaced (its namespace
 * moved) by the real engine: the replacements are created — and the
 * Deployment awaited ready — before the old objects are deleted, so a
 * replace never leaves production without pods. (With `deleteBeforeReplace`
 * the old Deployment went first.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import type { EngineEvent } from "../../../automation/engine/port";
import { WebService } from "../../../components/webService";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";

const namespaces = [`it-replace-a-${process.pid}`, `it-replace-b-${process.pid}`];

async function program(): Promise<Record<string, unknown>> {
  const target = new pulumi.Config("it").require("namespace");
  const created = namespaces.map((name) => new k8s.core.v1.Namespace(name, { metadata: { name } }));
  const service = new WebService(
    "web",
    { app: "web", track: "stable", namespace: target, image: "ghcr.io/rollgate/sample-app:1.0.0", replicas: 1 },
    { dependsOn: created },
  );
  return { deployment: service.deploymentName };
}

describe("replacing a WebService", () => {
  const workspacesDir = mkdtempSync(join(tmpdir(), "rg-replace-"));
  const engine = new LocalStackEngine({ program, projectName: "rollgate-it", workspacesDir });
  const stack = `it-replace-${process.pid}`;
  const { core } = kubeClients();

  afterAll(async () => {
    await engine.destroy(stack).catch(() => undefined);
    for (const name of namespaces) await eventually(() => namespaceGone(core, name), 120_000, 500);
    rmSync(workspacesDir, { recursive: true, force: true });
  }, 300_000);

  it("creates the new Deployment and Service, ready, before deleting the old ones", async () => {
    await engine.up(stack, { "it:namespace": { value: namespaces[0]! } });
    const events: EngineEvent[] = [];

    await engine.up(stack, { "it:namespace": { value: namespaces[1]! } }, { onEvent: (event) => events.push(event) });

    for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"]) {
      const of = (kind: string, op: string) => events.findIndex((event) => event.type === kind && event.op === op && event.urn?.includes(`$${type}::`));
      const createdDone = of("resource-done", "create-replacement");
      const deleteStarts = of("resource-pre", "delete-replaced");
      expect(createdDone, `${type}: no replacement created`).toBeGreaterThanOrEqual(0);
      expect(deleteStarts, `${type}: the old object was not deleted`).toBeGreaterThanOrEqual(0);
      expect(createdDone, `${type}: the old object was deleted before its replacement was ready`).toBeLessThan(deleteStarts);
    }
  });
});
