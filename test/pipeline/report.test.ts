/** The pure parts of scripts/pipeline/report.ts: what each step's summary says. */
import { describe, expect, it } from "vitest";
import { errorSummary } from "../../automation/errors";
import {
  analysisRecords,
  annotation,
  buildReport,
  cell,
  parsePolicyViolations,
  policyReport,
  previewReport,
  programErrors,
  releaseReport,
  releaseState,
  shortFailure,
  smokeResult,
} from "../../scripts/pipeline/report";

/** The tail of `pulumi preview --policy-pack ...` output, as the CLI printed it for a failing production stack. */
const violatingOutput = [
  "Previewing update (gate-production):",
  " +  kubernetes:apps/v1:Deployment sample-app-stable-deployment create ",
  " +  pulumi:pulumi:Stack rollgate-gate-production create 1 error",
  "Policies:",
  "    ❌ rollgate@v0.1.0 (local: policies)",
  "        - [mandatory]  stable-image-through-release  (kubernetes:apps/v1:Deployment: sample-app-stable-deployment)",
  "          Checks that stable-track Deployments change only through a release by a deployer allowed in this environment.",
  '          deployer "mallory" must have permission to deploy to this environment (allowed: rollgate-release-controller)',
  "        - [mandatory]  workload-image-pinned  (kubernetes:apps/v1:Deployment: sample-app-canary-deployment)",
  "          Checks that container images are pinned: tagged but not :latest, and by digest where required.",
  '          container "app" image "ghcr.io/rollgate/sample-app:latest" must not use the :latest tag',
  "        - [advisory]  workload-min-replicas  (kubernetes:apps/v1:Deployment: sample-app-stable-deployment)",
  "          Checks that Deployments and StatefulSets run enough replicas to survive losing one.",
  "          spec.replicas must be at least 2 (got 1)",
  "",
  "Diagnostics:",
  "  pulumi:pulumi:Stack (rollgate-gate-production):",
  "    error: preview failed",
  "",
  "Outputs:",
  '    app                 : "sample-app"',
].join("\n");

const passingOutput = ["Previewing update (gate-staging):", "Policies:", "    ✅ rollgate@v0.1.0 (local: policies)", "", "Resources:", "    + 11 to create"].join("\n");

const configErrorOutput = [
  "Policies:",
  "    ✅ rollgate@v0.1.0 (local: policies)",
  "",
  "Diagnostics:",
  "  pulumi:pulumi:Stack (rollgate-g):",
  "    error: Running program '/repo/infra/index.ts' failed with an unhandled exception:",
  "    ConfigError: Invalid stack config (1 problem):",
  '      - rollgate:canaryWeight must be an integer from 0 to 100 (got "150")',
  "        at parseConfig \u001b[90m(/repo/infra/\u001b[39mconfig.ts:464:9\u001b[90m)\u001b[39m",
  "      issues: [",
  "        {",
  "          key: \u001b[32m'rollgate:canaryWeight'\u001b[39m,",
  "        }",
  "      ]",
  "",
  "    (node:1) PromiseRejectionHandledWarning: Promise rejection was handled asynchronously",
  "",
  "Resources:",
].join("\n");

describe("parsePolicyViolations", () => {
  it("reads each violation's level, policy, resource and message from the Policies section", () => {
    expect(parsePolicyViolations(violatingOutput)).toEqual([
      {
        level: "mandatory",
        policy: "stable-image-through-release",
        resource: "kubernetes:apps/v1:Deployment: sample-app-stable-deployment",
        description: "Checks that stable-track Deployments change only through a release by a deployer allowed in this environment.",
        message: 'deployer "mallory" must have permission to deploy to this environment (allowed: rollgate-release-controller)',
      },
      expect.objectContaining({ level: "mandatory", policy: "workload-image-pinned", resource: "kubernetes:apps/v1:Deployment: sample-app-canary-deployment" }),
      expect.objectContaining({ level: "advisory", policy: "workload-min-replicas", message: "spec.replicas must be at least 2 (got 1)" }),
    ]);
  });

  it("finds none in a passing preview or output without a Policies section", () => {
    expect(parsePolicyViolations(passingOutput)).toEqual([]);
    expect(parsePolicyViolations("error: no stack named 'x' found")).toEqual([]);
  });
});

describe("programErrors", () => {
  it("keeps the error and its explanation, without stack frames, colours or inspected objects", () => {
    expect(programErrors(configErrorOutput)).toEqual([
      [
        "error: Running program '/repo/infra/index.ts' failed with an unhandled exception:",
        "ConfigError: Invalid stack config (1 problem):",
        '- rollgate:canaryWeight must be an integer from 0 to 100 (got "150")',
      ].join("\n"),
    ]);
  });

  it("drops the generic `preview failed` line that policy violations produce", () => {
    expect(programErrors(violatingOutput)).toEqual([]);
  });
});

describe("policyReport", () => {
  it("fails naming the environment and the mandatory policies, and lists every violation in the summary", () => {
    const report = policyReport("production", 255, violatingOutput);

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe("policy gate production: failed: stable-image-through-release, workload-image-pinned");
    expect(report.summary).toContain("### Policy gate: production failed");
    expect(report.summary).toContain(
      "| mandatory | `workload-image-pinned` | kubernetes:apps/v1:Deployment: sample-app-canary-deployment | container \"app\" image \"ghcr.io/rollgate/sample-app:latest\" must not use the :latest tag |",
    );
    expect(report.summary).toContain("| advisory | `workload-min-replicas` |");
    expect(report.annotations.filter((line) => line.startsWith("::error "))).toHaveLength(2);
    expect(report.annotations.filter((line) => line.startsWith("::warning "))).toHaveLength(1);
  });

  it("passes on exit 0 and says so", () => {
    const report = policyReport("staging", 0, passingOutput);

    expect(report.ok).toBe(true);
    expect(report.verdict).toBe("policy gate staging: passed");
    expect(report.summary).toContain("No policy violations.");
    expect(report.annotations).toEqual([]);
  });

  it("passes with advisory violations and counts them", () => {
    const advisoryOnly = violatingOutput.replace(/\[mandatory\]/g, "[advisory]");

    expect(policyReport("production", 0, advisoryOnly).verdict).toBe("policy gate production: passed (3 advisory)");
  });

  it("explains a failure that happened before the policies ran (bad config)", () => {
    const report = policyReport("production", 255, configErrorOutput);

    expect(report.ok).toBe(false);
    expect(report.verdict).toMatch(/^policy gate production: failed before the policies ran: error: Running program/);
    expect(report.summary).toContain('rollgate:canaryWeight must be an integer from 0 to 100 (got "150")');
  });

  it("follows pulumi's exit code: a failure without a parsable cause still fails", () => {
    expect(policyReport("staging", 1, "error: could not find plugin").ok).toBe(false);
  });
});

const operation = (status: string, log: string[], error: string | null = null) => ({
  id: "op-1",
  kind: "up",
  stack: "preview-pr-12",
  status,
  error,
  log,
});
const preview = (status: string) => ({
  pr: 12,
  stack: "preview-pr-12",
  status,
  url: "http://pr-12.preview.example.com",
  image: "ghcr.io/acme/app:sha-1",
  expiresAt: "2030-01-01T00:00:00.000Z",
});

describe("smokeResult", () => {
  it("is the service's smoke-check line, the absence of checks, or that they did not run", () => {
    expect(smokeResult(operation("succeeded", ["deployment ns/app is ready", "smoke checks passed"]))).toBe("smoke checks passed");
    expect(smokeResult(operation("failed", ["smoke checks failed: GET /healthz answered 503"]))).toBe(
      "smoke checks failed: GET /healthz answered 503",
    );
    expect(smokeResult(operation("succeeded", ["deployment ns/app is ready"]))).toMatch(/^no smoke checks configured/);
    expect(smokeResult(operation("failed", ["pulumi up failed"]))).toBe("smoke checks did not run");
  });
});

describe("previewReport", () => {
  it("reports a ready preview with its URL and smoke result, and outputs the URL", () => {
    const stdout = JSON.stringify({ operation: operation("succeeded", ["smoke checks passed"]), preview: preview("ready") });

    const report = previewReport(0, stdout);

    expect(report.ok).toBe(true);
    expect(report.verdict).toBe("preview PR 12: ready at http://pr-12.preview.example.com; smoke checks passed");
    expect(report.summary).toContain("| URL | http://pr-12.preview.example.com |");
    expect(report.summary).toContain("| smoke checks | smoke checks passed |");
    expect(report.outputs).toEqual({ url: "http://pr-12.preview.example.com" });
  });

  it("fails with the operation's error when the smoke checks failed", () => {
    const failed = operation("failed", ["smoke checks failed: GET /healthz answered 503"], "smoke checks failed: GET /healthz answered 503");
    const report = previewReport(1, JSON.stringify({ operation: failed, preview: preview("failed") }));

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe("preview PR 12: failed: smoke checks failed: GET /healthz answered 503");
    expect(report.annotations[0]).toMatch(/^::error title=preview environment::smoke checks failed/);
  });

  it("shortens an operation error holding pulumi output to its policy violations, keeping the whole error below", () => {
    const error = `code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi up --yes --skip-preview\n${violatingOutput}`;
    const report = previewReport(1, JSON.stringify({ operation: operation("failed", ["pulumi up failed"], error), preview: preview("failed") }));

    expect(report.verdict).toBe(
      'preview PR 12: failed: policy stable-image-through-release: deployer "mallory" must have permission to deploy to this environment (allowed: rollgate-release-controller); policy workload-image-pinned: container "app" image "ghcr.io/rollgate/sample-app:latest" must not use the :latest tag',
    );
    expect(report.summary).toContain("<details><summary>error</summary>");
  });

  it("fails with the CLI's error when there is no JSON (service unreachable)", () => {
    const report = previewReport(1, "", "error: cannot reach the Rollgate server at http://127.0.0.1:1\n");

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe("preview PR ?: failed: cannot reach the Rollgate server at http://127.0.0.1:1");
  });
});

const release = (status: string, extra: Record<string, unknown> = {}) => ({
  id: "rel-1",
  environment: "production",
  status,
  image: "ghcr.io/acme/app@sha256:abc",
  previousImage: "ghcr.io/acme/app@sha256:def",
  reason: null,
  analysis: [] as unknown[],
  ...extra,
});

describe("releaseReport", () => {
  it("passes a succeeded release", () => {
    const report = releaseReport("production", 0, JSON.stringify(release("succeeded")));

    expect(report.ok).toBe(true);
    expect(report.verdict).toBe("release to production: succeeded");
  });

  it("fails a rolled-back release and names the failing metric and step", () => {
    const analysis = [
      { step: 0, metric: "error-rate", phase: "passed", detail: "0.1% <= 1%" },
      { step: 1, metric: "error-rate", phase: "failed", detail: "7.2% > 1%" },
      { step: 1, metric: "latency-p99", phase: "passed", detail: "180ms <= 500ms" },
    ];
    const stdout = JSON.stringify(release("rolledBack", { reason: "analysis failed at step 2", analysis }));

    const report = releaseReport("production", 1, stdout);

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe("release to production: failed: the release ended rolledBack: analysis failed at step 2 (failing metrics: error-rate)");
    expect(report.summary).toContain("| 2 | `error-rate` | failed | 7.2% > 1% |");
  });

  it("fails a rolled-back release even when the CLI exited 0", () => {
    expect(releaseReport("production", 0, JSON.stringify(release("rolledBack"))).ok).toBe(false);
    expect(releaseReport("production", 0, JSON.stringify({ release: release("aborted") })).ok).toBe(false);
  });

  it("says when the CLI rejected the command", () => {
    const report = releaseReport("production", 2, "", 'error: unknown command "release"\n\nusage: rollgate ...\n');

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe('release to production: failed: the rollgate CLI rejected the command (exit 2): unknown command "release"');
  });

  it("says when the release was still running at the CLI's --timeout (exit 4)", () => {
    const report = releaseReport("production", 4, JSON.stringify(release("paused")));

    expect(report.ok).toBe(false);
    expect(report.verdict).toBe("release to production: failed: the release was still paused when --timeout passed; it keeps running");
  });

  it("says when the service could not be reached (exit 5)", () => {
    const report = releaseReport("production", 5, "", "error: cannot reach the Rollgate server at http://rollgate.test (ECONNREFUSED)\n");

    expect(report.verdict).toBe("release to production: failed: the Rollgate service could not be reached: cannot reach the Rollgate server at http://rollgate.test (ECONNREFUSED)");
  });

  it("reads the state and analysis leniently", () => {
    expect(releaseState({ phase: "Healthy" })).toBe("Healthy");
    expect(releaseState("not json")).toBeUndefined();
    expect(analysisRecords({ analysis: "none" })).toEqual([]);
  });
});

describe("helpers", () => {
  it("escapes workflow-command data and properties as the runner expects", () => {
    expect(annotation("error", "policy a:b, c", "50% done\nnext")).toBe("::error title=policy a%3Ab%2C c::50%25 done%0Anext");
  });

  it("keeps a table cell on one line with pipes escaped", () => {
    expect(cell("a|b\nc")).toBe("a\\|b c");
  });

  it("answers a usage message for unknown or incomplete arguments", () => {
    expect(buildReport(["nope"])).toMatch(/^usage:/);
    expect(buildReport(["policy", "staging", "x", "file"])).toMatch(/^usage:/);
  });
});

describe("an operation error as users see it", () => {
  it("still names the violated policies after the service summarised a long CLI output", () => {
    const progress = Array.from({ length: 100 }, (_, n) => ` +  kubernetes:core/v1:ConfigMap cm-${n} create `);
    const cliError = new Error(["code: 255", " stdout: ", ...progress, ...violatingOutput.split("\n"), " stderr: error: preview failed"].join("\n"));

    const summary = errorSummary(cliError);

    expect(summary.length).toBeLessThanOrEqual(2000);
    expect(shortFailure(summary)).toContain("policy workload-image-pinned");
  });
});
