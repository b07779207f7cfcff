/**
 * The CLI-driven pipeline steps (scripts/pipeline/preview-up.sh,
 * preview-down.sh, release.sh) with a stand-in `rollgate` (ROLLGATE_CLI): the
 * arguments each passes from the workflow's environment, the exit code the
 * job goes by and the job summary. test/integration/pipeline runs them
 * against a real service.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const scripts = resolve(__dirname, "../../scripts/pipeline");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rg-steps-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly stdout?: unknown;
  readonly stderr?: string;
  readonly exit?: number;
}

/**
 * A stand-in CLI: answers each `rollgate <group> <command>` with `answers`
 * and records its arguments, one call per line, in `calls.log`.
 */
function fakeCli(answers: Record<string, Answer>): string {
  const cli = join(dir, "rollgate");
  for (const [command, answer] of Object.entries(answers)) {
    const name = command.replace(" ", "-");
    writeFileSync(join(dir, `${name}.out`), answer.stdout === undefined ? "" : JSON.stringify(answer.stdout));
    writeFileSync(join(dir, `${name}.err`), answer.stderr ?? "");
    writeFileSync(join(dir, `${name}.exit`), String(answer.exit ?? 0));
  }
  writeFileSync(
    cli,
    [
      "#!/usr/bin/env bash",
      `dir=${JSON.stringify(dir)}`,
      'printf "%s\\n" "$*" >>"$dir/calls.log"',
      'name="$1-$2"',
      '[ -f "$dir/$name.exit" ] || { echo "error: unexpected command $*" >&2; exit 3; }',
      'cat "$dir/$name.out"; cat "$dir/$name.err" >&2',
      'exit "$(cat "$dir/$name.exit")"',
    ].join("\n"),
  );
  chmodSync(cli, 0o755);
  return cli;
}

interface StepResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
  readonly outputs: string;
  readonly calls: string[];
}

function runStep(script: string, env: Record<string, string>, args: string[] = []): StepResult {
  const summary = join(dir, "summary.md");
  const outputs = join(dir, "outputs.txt");
  const result = spawnSync("bash", [join(scripts, script), ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs, ...env },
  });
  const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    summary: read(summary),
    outputs: read(outputs),
    calls: read(join(dir, "calls.log")).trim().split("\n").filter(Boolean),
  };
}

const sha = "0123456789abcdef0123456789abcdef01234567";
const readyPreview = {
  operation: { id: "op-1", kind: "up", status: "succeeded", error: null, log: ["deployment pr-7-x/app is ready", "smoke checks passed"] },
  preview: { pr: 7, stack: "preview-pr-7", status: "ready", url: "http://pr-7.preview.example.com", image: "ghcr.io/acme/app:sha-1", expiresAt: null },
};

describe("preview-up.sh", () => {
  it("runs `rollgate preview up --wait --json` with the workflow's values and reports the URL and smoke result", () => {
    const cli = fakeCli({ "preview up": { stdout: readyPreview, stderr: "operation op-1 (up preview-pr-7): running\n" } });

    const result = runStep("preview-up.sh", {
      ROLLGATE_CLI: cli,
      ROLLGATE_PR: "7",
      ROLLGATE_IMAGE: "ghcr.io/acme/app:sha-1",
      ROLLGATE_BRANCH: "feature/x",
      ROLLGATE_COMMIT_SHA: sha,
    });

    expect(result.status).toBe(0);
    expect(result.calls).toEqual([`preview up --pr 7 --image ghcr.io/acme/app:sha-1 --wait --json --branch feature/x --sha ${sha}`]);
    expect(result.summary).toContain("### Preview environment for PR #7: ready");
    expect(result.summary).toContain("| URL | http://pr-7.preview.example.com |");
    expect(result.summary).toContain("| smoke checks | smoke checks passed |");
    expect(result.outputs).toBe("url=http://pr-7.preview.example.com\n");
    expect(result.stderr).toContain("operation op-1 (up preview-pr-7): running");
  });

  it("fails the job when the preview failed, with the reason in the summary", () => {
    const failed = {
      operation: { ...readyPreview.operation, status: "failed", error: "smoke checks failed: GET /healthz answered 503", log: ["smoke checks failed: GET /healthz answered 503"] },
      preview: { ...readyPreview.preview, status: "failed" },
    };
    const cli = fakeCli({ "preview up": { stdout: failed, exit: 1 } });

    const result = runStep("preview-up.sh", { ROLLGATE_CLI: cli, ROLLGATE_PR: "7", ROLLGATE_IMAGE: "ghcr.io/acme/app:sha-1" });

    expect(result.status).toBe(1);
    expect(result.summary).toContain("### Preview environment for PR #7: failed");
    expect(result.summary).toContain("| error | smoke checks failed: GET /healthz answered 503 |");
  });

  it("is a usage error (exit 2) without a PR number or image, before calling the service", () => {
    const cli = fakeCli({});

    const result = runStep("preview-up.sh", { ROLLGATE_CLI: cli, ROLLGATE_PR: "7" });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("ROLLGATE_IMAGE must be set");
    expect(result.calls).toEqual([]);
  });
});

describe("preview-down.sh", () => {
  it("destroys the PR's preview and waits", () => {
    const cli = fakeCli({ "preview list": { stdout: [readyPreview.preview] }, "preview down": { stdout: {} } });

    const result = runStep("preview-down.sh", { ROLLGATE_CLI: cli, ROLLGATE_PR: "7" });

    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["preview list --json", "preview down --pr 7 --wait"]);
    expect(result.summary).toContain("Destroyed.");
  });

  it("succeeds without calling down when the PR has no preview", () => {
    const cli = fakeCli({ "preview list": { stdout: [readyPreview.preview] } });

    const result = runStep("preview-down.sh", { ROLLGATE_CLI: cli, ROLLGATE_PR: "8" });

    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["preview list --json"]);
    expect(result.summary).toContain("No preview environment to destroy.");
  });

  it("fails when the destroy fails", () => {
    const cli = fakeCli({ "preview list": { stdout: [readyPreview.preview] }, "preview down": { exit: 1, stderr: "error: destroy failed\n" } });

    expect(runStep("preview-down.sh", { ROLLGATE_CLI: cli, ROLLGATE_PR: "7" }).status).toBe(1);
  });
});

const release = (status: string, extra: Record<string, unknown> = {}) => ({
  id: "rel-9",
  environment: "production",
  status,
  image: "ghcr.io/acme/app@sha256:abc",
  previousImage: "ghcr.io/acme/app@sha256:def",
  reason: null,
  analysis: [],
  ...extra,
});

describe("release.sh", () => {
  it("starts the release with --wait and passes when it succeeds", () => {
    const cli = fakeCli({ "release start": { stdout: release("succeeded") } });

    const result = runStep("release.sh", { ROLLGATE_CLI: cli, ROLLGATE_IMAGE: "ghcr.io/acme/app@sha256:abc", ROLLGATE_COMMIT_SHA: sha }, ["production"]);

    expect(result.status).toBe(0);
    expect(result.calls).toEqual([`release start --env production --image ghcr.io/acme/app@sha256:abc --wait --json --sha ${sha}`]);
    expect(result.summary).toContain("### Release to production: succeeded");
  });

  it("fails the job when the release rolls back, naming the metric that failed", () => {
    const analysis = [{ step: 1, metric: "error-rate", phase: "failed", detail: "7.2% > 1%" }];
    const cli = fakeCli({ "release start": { stdout: release("rolledBack", { reason: "analysis failed", analysis }), exit: 1 } });

    const result = runStep("release.sh", { ROLLGATE_CLI: cli, ROLLGATE_IMAGE: "ghcr.io/acme/app@sha256:abc" });

    expect(result.status).toBe(1);
    expect(result.summary).toContain("### Release to production: failed");
    expect(result.summary).toContain("the release ended rolledBack: analysis failed (failing metrics: error-rate)");
    expect(result.summary).toContain("| 2 | `error-rate` | failed | 7.2% > 1% |");
  });

  it("passes the release pacing variables as --steps, --pause and --analysis-file, naming each variable in the log", () => {
    const cli = fakeCli({ "release start": { stdout: release("succeeded") } });

    const result = runStep("release.sh", {
      ROLLGATE_CLI: cli,
      ROLLGATE_IMAGE: "ghcr.io/acme/app@sha256:abc",
      ROLLGATE_RELEASE_STEPS: "10,100",
      ROLLGATE_RELEASE_PAUSE_SECONDS: "30",
      ROLLGATE_RELEASE_ANALYSIS_FILE: "deploy/analysis.json",
    });

    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      "release start --env production --image ghcr.io/acme/app@sha256:abc --wait --json --steps 10,100 --pause 30 --analysis-file deploy/analysis.json",
    ]);
    expect(result.stderr).toContain("--steps 10,100 (from ROLLGATE_RELEASE_STEPS)");
    expect(result.stderr).toContain("--pause 30 (from ROLLGATE_RELEASE_PAUSE_SECONDS)");
    expect(result.stderr).toContain("--analysis-file deploy/analysis.json (from ROLLGATE_RELEASE_ANALYSIS_FILE)");
  });

  it("fails the job when the CLI rejects a pacing variable, naming the flag in the summary and the variable in the log", () => {
    // The real CLI: it validates the flags before contacting any server.
    const result = runStep("release.sh", { ROLLGATE_IMAGE: `ghcr.io/acme/app@sha256:${"ab".repeat(32)}`, ROLLGATE_RELEASE_STEPS: "50,25" });

    expect(result.status).toBe(1);
    expect(result.summary).toContain(
      "the rollgate CLI rejected the command (exit 2): --steps: step 2 must be greater than the previous step's weight (50), got 25",
    );
    expect(result.stderr).toContain("--steps 50,25 (from ROLLGATE_RELEASE_STEPS)");
  });

  it("fails the job on a rolled-back release even if the CLI exited 0", () => {
    const cli = fakeCli({ "release start": { stdout: release("rolledBack") } });

    expect(runStep("release.sh", { ROLLGATE_CLI: cli, ROLLGATE_IMAGE: "ghcr.io/acme/app@sha256:abc" }).status).toBe(1);
  });
});
