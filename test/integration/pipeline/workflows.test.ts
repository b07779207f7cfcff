/**
 * The workflow files themselves: actionlint (with shellcheck when installed)
 * passes, actions are pinned to full commit SHAs, permissions are least
 * privilege (writes only where a job publishes), secrets reach steps only
 * through `env:` from the `secrets` context, and every step that runs a
 * pipeline script names one that exists and reads the variables the step sets.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadWorkflow, repoRoot, workflowsDir, type Workflow } from "./workflowSteps";

const run = promisify(execFile);
const files = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));
const workflows: [string, Workflow][] = files.map((file) => [file, loadWorkflow(file)]);

/** Actions pinned in the workflows, verified against the actions' release tags. */
const pinned: Record<string, string> = {
  "actions/checkout": "11bd71901bbe5b1630ceea73d27597364c9af683", // v4.2.2
  "actions/setup-node": "49933ea5288caeca8642d1e84afbd3f7d6820020", // v4.4.0
  "actions/setup-go": "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", // v5.5.0
  "actions/cache": "5a3ec84eff668545956fd18022155c47e93e2684", // v4.2.3
  "docker/metadata-action": "c1e51972afc2121e065aed6d45c65596fe445f3f", // v5.8.0
  "docker/setup-qemu-action": "29109295f81e9208d7d86ff1c6c12d2833863392", // v3.6.0
  "docker/setup-buildx-action": "e468171a9de216ec08956ac3ada2f0791b6bd435", // v3.11.1
  "docker/login-action": "184bdaa0721073962dff0199f1fb9940f07167d1", // v3.5.0
  "docker/build-push-action": "263435318d21b8e681c14492fe198d362a7d2c83", // v6.18.0
  "sigstore/cosign-installer": "3454372f43399081ed03b604cb2d021dabca52bb", // v3.8.2
  "anchore/sbom-action": "17ae1740179002c89186b61233e0f892c3118b11", // v0.23.0
  "actions/attest-build-provenance": "a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", // v4.1.0
};

/** The only write permissions granted: release.yml's image job pushes to ghcr.io, signs keyless and attests provenance. */
const writes: Record<string, Record<string, string[]>> = {
  "release.yml": { image: ["attestations", "id-token", "packages"] },
};

function steps(workflow: Workflow) {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) => (job.steps ?? []).map((step) => ({ jobId, step })));
}

describe("the GitHub Actions workflows", () => {
  it("are ci.yml, deploy.yml, preview-cleanup.yml and release.yml", () => {
    expect(files.sort()).toEqual(["ci.yml", "deploy.yml", "preview-cleanup.yml", "release.yml"]);
  });

  it("pass actionlint", async () => {
    const result = await run("actionlint", ["-no-color", ...files.map((file) => join(workflowsDir, file))], { cwd: repoRoot }).then(
      () => "",
      (error: { stdout?: string; stderr?: string; message: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}` || error.message,
    );

    expect(result).toBe("");
  });

  it.each(workflows)("%s pins every action to a full commit SHA", (_file, workflow) => {
    for (const { step } of steps(workflow)) {
      if (!step.uses) continue;
      const [action, ref] = step.uses.split("@");
      expect(ref, step.uses).toMatch(/^[0-9a-f]{40}$/);
      expect(pinned[action ?? ""], `${action} is not in the verified list`).toBe(ref);
    }
  });

  it.each(workflows)("%s grants no permissions by default and each job only what it needs", (file, workflow) => {
    expect(workflow.permissions).toEqual({});
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions, `job ${jobId}`).toBeDefined();
      const granted = Object.entries((job.permissions ?? {}) as Record<string, string>);
      const written = granted.filter(([, level]) => level !== "read").map(([scope]) => scope);
      expect(written.sort(), `job ${jobId} writes`).toEqual(writes[file]?.[jobId] ?? []);
    }
  });

  it.each(workflows)("%s passes secrets only through env:, from the secrets context", (file, workflow) => {
    const text = readFileSync(join(workflowsDir, file), "utf8");
    for (const { jobId, step } of steps(workflow)) {
      expect(step.run ?? "", `${jobId}: no expressions inside run scripts`).not.toMatch(/\$\{\{/);
      for (const [name, value] of Object.entries(step.env ?? {})) {
        if (/TOKEN|PASSPHRASE|KUBECONFIG/.test(name)) expect(value, `${jobId} ${name}`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
    expect(text).not.toMatch(/pull_request_target/);
    expect(text).not.toMatch(/secrets: inherit/);
  });

  it.each(workflows)("%s runs pipeline scripts that exist and read the variables the step sets", (_file, workflow) => {
    for (const { jobId, step } of steps(workflow)) {
      const script = /scripts\/pipeline\/([\w-]+\.sh)/.exec(step.run ?? "")?.[1];
      if (!script) continue;
      const path = resolve(repoRoot, "scripts/pipeline", script);
      expect(existsSync(path), `${jobId}: ${script}`).toBe(true);
      const source = readFileSync(path, "utf8");
      for (const name of Object.keys(step.env ?? {})) {
        if (/^PULUMI_/.test(name) || step.run?.includes(`$${name}`)) continue; // read by pulumi, or passed as an argument
        expect(source, `${script} does not read ${name} (set by ${jobId})`).toContain(name);
      }
    }
  });

  it("run pull-request work once per PR, and never cancel a deployment halfway", () => {
    const ci = loadWorkflow("ci.yml");
    const deploy = loadWorkflow("deploy.yml");
    const cleanup = loadWorkflow("preview-cleanup.yml");

    expect(ci.concurrency?.group).toBe("ci-${{ github.event.pull_request.number || github.ref }}");
    expect(ci.concurrency?.["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
    expect(cleanup.concurrency?.group).toBe("ci-${{ github.event.pull_request.number }}");
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("give forks the gates but no preview (no secrets), and clean up only what was created", () => {
    const sameRepository = "github.event.pull_request.head.repo.full_name == github.repository";

    expect(loadWorkflow("ci.yml").jobs.preview?.if).toContain(sameRepository);
    expect(loadWorkflow("preview-cleanup.yml").jobs["preview-down"]?.if).toContain(sameRepository);
  });
});
