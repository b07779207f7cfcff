/**
 * The policy pack as the Pulumi CLI runs it: @pulumi/pulumi's
 * cmd/run-policy-pack loads policies/ (TypeScript through the SDK's ts-node),
 * the PolicyPack serves the analyzer gRPC API, and this test is the engine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rollgatePolicies } from "../../policies/all";
import { isRecord } from "../../policies/checks/values";
import { container, deployment, previewNamespace } from "./fixtures";
import type { ResourceInput } from "./helpers";

const policiesDir = join(__dirname, "../../policies");
const startupTimeoutMs = 240_000;

const levels: Record<string, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
};

let pack: ChildProcess | undefined;
let client: analyzerRpc.AnalyzerClient;
let stderr = "";

/** Starts the pack like the language host does (cwd = the pack) and resolves with its port. */
function startPack(): Promise<number> {
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", policiesDir], {
    cwd: policiesDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  pack = child;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /^(\d+)\s*$/m.exec(stdout);
      if (port?.[1] !== undefined) {
        resolve(Number(port[1]));
      }
    });
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
  });
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

function unary<Res>(invoke: (callback: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response)));
  });
}

function configureRequest(file: string): analyzer.ConfigureAnalyzerRequest {
  const config: unknown = JSON.parse(readFileSync(join(policiesDir, "config", file), "utf8"));
  const request = new analyzer.ConfigureAnalyzerRequest();
  for (const [name, entry] of Object.entries(isRecord(config) ? config : {})) {
    const { enforcementLevel, ...params } = isRecord(entry) ? entry : {};
    const policyConfig = new analyzer.PolicyConfig();
    policyConfig.setEnforcementlevel(levels[String(enforcementLevel)] ?? analyzer.EnforcementLevel.ADVISORY);
    policyConfig.setProperties(Struct.fromJavaScript(params as Record<string, never>));
    request.getPolicyconfigMap().set(name, policyConfig);
  }
  return request;
}

function options(): analyzer.AnalyzerResourceOptions {
  return new analyzer.AnalyzerResourceOptions().setProtect(false);
}

function analyzeRequest(input: ResourceInput): analyzer.AnalyzeRequest {
  return new analyzer.AnalyzeRequest()
    .setType(input.type)
    .setName(input.name ?? "subject")
    .setUrn(`urn:pulumi:production::rollgate::${input.type}::${input.name ?? "subject"}`)
    .setProperties(Struct.fromJavaScript(input.props as Record<string, never>))
    .setOptions(options());
}

function stackResource(input: ResourceInput): analyzer.AnalyzerResource {
  return new analyzer.AnalyzerResource()
    .setType(input.type)
    .setName(input.name ?? "subject")
    .setUrn(`urn:pulumi:preview-pr-42::rollgate::${input.type}::${input.name ?? "subject"}`)
    .setProperties(Struct.fromJavaScript(input.props as Record<string, never>))
    .setOptions(options());
}

beforeAll(async () => {
  const port = await startPack();
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, startupTimeoutMs);

afterAll(() => {
  client?.close();
  pack?.removeAllListeners("exit");
  pack?.kill();
});

describe("the policy pack served by run-policy-pack", () => {
  it("serves every policy with its default enforcement level", async () => {
    const info = await unary<analyzer.AnalyzerInfo>((done) => client.getAnalyzerInfo(new Empty(), done));

    expect(info.getName()).toBe("rollgate");
    expect(info.getVersion()).toBe("0.1.0");
    expect(
      info.getPoliciesList().map((policy) => [policy.getName(), policy.getEnforcementlevel()]),
    ).toEqual(rollgatePolicies.map((policy) => [policy.name, levels[policy.enforcementLevel ?? "advisory"]]));
  });

  it("reports a :latest image under the production config, digest required", async () => {
    await unary<Empty>((done) => client.configure(configureRequest("production.json"), done));
    const latest = deployment({ containers: [container({ image: "ghcr.io/acme/web:latest" })] });

    const response = await unary<analyzer.AnalyzeResponse>((done) => client.analyze(analyzeRequest(latest), done));

    const pinning = response.getDiagnosticsList().filter((d) => d.getPolicyname() === "workload-image-pinned");
    expect(pinning.map((d) => d.getEnforcementlevel())).toEqual([
      analyzer.EnforcementLevel.MANDATORY,
      analyzer.EnforcementLevel.MANDATORY,
    ]);
    expect(pinning[0]?.getMessage()).toContain("must not use the :latest tag");
    expect(pinning[1]?.getMessage()).toContain("must be pinned by digest");
  });

  it("reports a stable Deployment released outside a release in production", async () => {
    await unary<Empty>((done) => client.configure(configureRequest("production.json"), done));

    const response = await unary<analyzer.AnalyzeResponse>((done) => client.analyze(analyzeRequest(deployment()), done));

    const release = response.getDiagnosticsList().filter((d) => d.getPolicyname() === "stable-image-through-release");
    expect(release).toHaveLength(2);
  });

  it("reports a preview namespace without a ResourceQuota under the preview config", async () => {
    await unary<Empty>((done) => client.configure(configureRequest("preview.json"), done));
    const request = new analyzer.AnalyzeStackRequest().setResourcesList([stackResource(previewNamespace())]);

    const response = await unary<analyzer.AnalyzeResponse>((done) => client.analyzeStack(request, done));

    const isolation = response.getDiagnosticsList().filter((d) => d.getPolicyname() === "preview-namespace-isolation");
    expect(isolation.map((d) => d.getMessage())).toEqual([
      expect.stringContaining('preview namespace "preview-pr-42" must contain a ResourceQuota'),
      expect.stringContaining('preview namespace "preview-pr-42" must contain a NetworkPolicy'),
    ]);
  });
});
