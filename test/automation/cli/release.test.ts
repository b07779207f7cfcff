import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../support/app";
import type { Release as ReleaseBody } from "../../../automation/cli/client";
import { ReleaseProgress, outcome } from "../../../automation/cli/releaseProgress";
import { parseStartReleaseRequest, type Release } from "../../../automation/release/schemas";
import { releaseView } from "../../../automation/services/releases/views";
import { harness, scriptTraffic } from "../release/fakes";
import { cli, serve, type Served } from "./support";
import { CANARY, atStep, createReleaseHarness, finished, releaseTokenStore, releaseTokens, type ReleaseHarness } from "../releases/support";

describe("release CLI argument parsing", () => {
  it.each([
    [["release", "start", "--image", CANARY], "--env is required"],
    [["release", "start", "--env", "staging"], "--image is required"],
    [["release", "start", "--env", "Prod", "--image", CANARY], "--env: must be a lowercase DNS label"],
    [["release", "start", "--env", "staging", "--image", "Not An Image"], "--image: must have a repository path of lowercase letters"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--steps", "5,x"], "--steps: must be comma-separated whole percentages"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--steps", "50,25"], "--steps: step 2 must be greater than the previous step's weight (50), got 25"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--steps", "0,100"], "--steps: step 1 must be a whole number from 1 to 100, got 0"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--pause", "-1"], "--pause: must be a duration: seconds (90) or with units (90s, 5m, 1h30m)"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--pause", "1.5"], "--pause: must be a duration"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--pause", "2d"], "--pause: must be from 0s to 1d, got 2d"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--wait", "--timeout", "0"], "--timeout: must be from 1s to 7d, got 0s"],
    [["release", "status", "--watch"], "--watch needs --id or --env"],
    [["release", "status", "--id", "r1", "--timeout", "5m"], "--timeout needs --watch"],
    [["release", "start", "--env", "staging", "--image", CANARY, "--sha", "abc"], "--sha: must be a full 40-character"],
    [["release", "promote"], "--id is required"],
    [["release", "promote", "--id", "../etc"], "--id:"],
    [["release", "pause", "--id", "r1", "--wait"], "unknown flag --wait"],
    [["release", "rollback", "--id", "r1"], 'unknown command "release rollback"'],
  ])("exits 2 for %j, naming the problem", async (argv, message) => {
    const run = await cli(argv);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(run.stdout).toBe("");
  });

  it("lists the release commands in its help", async () => {
    const run = await cli(["release", "--help"]);

    expect(run.code).toBe(0);
    for (const command of ["start", "status", "promote", "abort", "pause", "resume"]) expect(run.stdout).toContain(`  ${command}`);
  });

  it("describes the start flags", async () => {
    const run = await cli(["release", "start", "--help"]);

    expect(run.stdout).toMatch(/--env <value>\s+environment .*\(required\)/);
    expect(run.stdout).toMatch(/--steps <value>\s+canary weights in percent/);
    expect(run.stdout).toMatch(/--wait\s+follow the release until it finishes/);
  });
});

describe("release CLI against a server", () => {
  let h: ReleaseHarness;
  let server: Served;
  let url: string;
  beforeEach(async () => {
    h = createReleaseHarness();
    server = await serve(h.rollgate.app);
    url = server.url;
  });
  afterEach(async () => {
    await server.close();
  });

  const as = (token: string = releaseTokens.staging) => ({ ROLLGATE_URL: url, ROLLGATE_TOKEN: token });

  it("starts a release with steps, pause and commit, and returns right away without --wait", async () => {
    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--steps", "10, 50,100", "--pause", "30", "--sha", "b".repeat(40)], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("release rel-1 started in staging: progressing\n");
    const started = h.controller.started[0];
    expect(started?.request.steps).toEqual([
      { weight: 10, pauseSeconds: 30 },
      { weight: 50, pauseSeconds: 30 },
      { weight: 100, pauseSeconds: 30 },
    ]);
    expect(started?.request.commitSha).toBe("b".repeat(40));
    expect(started?.actor).toBe("ci-staging");
  });

  it("uses the default weights when only --pause is given", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY, "--pause", "0"], as());

    expect(h.controller.started[0]?.request.steps?.map((step) => ["weight" in step ? step.weight : undefined, step.pauseSeconds])).toEqual([
      [5, 0],
      [25, 0],
      [50, 0],
      [100, 0],
    ]);
  });

  it("sends analysis settings from a file, and exits 1 with the server's field errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rollgate-cli-"));
    try {
      const good = join(dir, "analysis.json");
      const bad = join(dir, "bad.json");
      await writeFile(good, JSON.stringify({ count: 2, latency: { enabled: false } }));
      await writeFile(bad, JSON.stringify({ count: 0 }));

      const ok = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--analysis-file", good], as());
      const rejected = await cli(["release", "start", "--env", "production", "--image", CANARY, "--analysis-file", bad], as(releaseTokens.admin));
      const missing = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--analysis-file", join(dir, "nope.json")], as());

      expect(ok.code).toBe(0);
      expect(h.controller.started[0]?.request.analysis).toMatchObject({ count: 2, latency: { enabled: false } });
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toContain("body.analysis.count: Number must be greater than or equal to 1");
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("error: --analysis-file: cannot read");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("follows a release with --wait, printing each step's weight and measurements, and exits 0 when it succeeds", async () => {
    h.controller.script("rel-1", [atStep(0), atStep(1), atStep(2), finished("succeeded")]);

    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--steps", "5,50,100", "--wait"], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`release rel-1 succeeded: staging runs ${CANARY}\n`);
    expect(run.stderr.split("\n")).toEqual([
      `dashboard: ${url}/#release-rel-1`,
      "release rel-1 (staging): progressing",
      "step 1/3: canary at 5%",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 1)",
      "step 2/3: canary at 50%",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 2)",
      "step 3/3: canary at 100%",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 3)",
      "release rel-1 (staging): succeeded",
      "",
    ]);
  });

  it.each([
    ["rolledBack", 3, "analysis failed at step 1/4 (5%): error-rate failed", "rolled back: analysis failed at step 1/4 (5%): error-rate failed; staging still runs ghcr.io/acme/web:1.0.0"],
    ["aborted", 3, "aborted by alice", "aborted: aborted by alice; staging still runs ghcr.io/acme/web:1.0.0"],
    ["failed", 1, "rollback failed; the canary may still receive traffic", "failed: rollback failed; the canary may still receive traffic"],
  ] as const)("exits %s → %i when the release ends so", async (status, code, reason, text) => {
    h.controller.script("rel-1", [atStep(0), finished(status, reason)]);

    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--wait"], as());

    expect(run.code).toBe(code);
    expect(run.stdout).toBe(`release rel-1 ${text}\n`);
    expect(run.stderr).toContain(`release rel-1 (staging): ${status}: ${reason}`);
  });

  it("prints the final record as JSON with --json --wait", async () => {
    h.controller.script("rel-1", [finished("succeeded")]);

    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--wait", "--json"], as());

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: "rel-1", status: "succeeded", environment: "staging", image: CANARY });
  });

  it("prints the accepted release as JSON with --json", async () => {
    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--json"], as());

    expect(JSON.parse(run.stdout)).toEqual({ id: "rel-1", environment: "staging", status: "progressing", step: 0, weight: 0 });
  });

  it("stops waiting after --timeout and exits 4", async () => {
    const run = await cli(["release", "start", "--env", "staging", "--image", CANARY, "--wait", "--timeout", "1s"], as());

    expect(run.code).toBe(4);
    expect(run.stdout).toBe("release rel-1 is still progressing after 1s (step 1/4, weight 0%)\n");
  });

  it("exits 1 with the server's reason when the environment already has a release", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());

    const run = await cli(["release", "start", "--env", "staging", "--image", "ghcr.io/acme/web:2.0.0"], as());

    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: environment `staging` already has an active release (rel-1); promote or abort it first\n");
  });

  it("exits 1 when the token may not release to the environment", async () => {
    const run = await cli(["release", "start", "--env", "production", "--image", CANARY], as(releaseTokens.previews));

    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: this token lacks the `releases:production` scope\n");
    expect(h.controller.calls).toEqual([]);
  });

  it("shows a release by id, the latest of an environment, or a table of all", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());
    h.controller.update("rel-1", (release) => atStep(0)({ ...release }));
    h.controller.update("rel-1", finished("rolledBack", "analysis failed"));
    await cli(["release", "start", "--env", "staging", "--image", "ghcr.io/acme/web:1.2.0", "--steps", "50,100"], as());

    const byId = await cli(["release", "status", "--id", "rel-1"], as(releaseTokens.reader));
    const byEnv = await cli(["release", "status", "--env", "staging"], as(releaseTokens.reader));
    const all = await cli(["release", "status"], as(releaseTokens.reader));
    const json = await cli(["release", "status", "--id", "rel-2", "--json"], as(releaseTokens.reader));

    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^status:\s+rolledBack$/m);
    expect(byId.stdout).toMatch(/^reason:\s+analysis failed$/m);
    expect(byId.stdout).toMatch(/^steps:\s+5% for 300s, 25% for 300s, 50% for 300s, 100% for 300s$/m);
    expect(byId.stdout).toContain("analysis:\n  step 1 error-rate: successful (canary 0.1% ≤ 1% at step 1)");
    expect(byEnv.stdout).toMatch(/^id:\s+rel-2$/m);
    expect(byEnv.stdout).toMatch(/^step:\s+1\/2$/m);
    expect(all.stdout.split("\n")[0]).toMatch(/^ID\s+ENVIRONMENT\s+STATUS\s+STEP\s+WEIGHT\s+IMAGE\s+STARTED$/);
    expect(all.stdout).toMatch(/^rel-2\s+staging\s+progressing\s+1\/2\s+0%/m);
    expect(all.stdout).toMatch(/^rel-1\s+staging\s+rolledBack/m);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: "rel-2", stepCount: 2 });
  });

  it("exits 1 when an environment has no releases, and 2 for both --id and --env", async () => {
    const none = await cli(["release", "status", "--env", "production"], as(releaseTokens.reader));
    const both = await cli(["release", "status", "--env", "staging", "--id", "rel-1"], as(releaseTokens.reader));

    expect(none.code).toBe(1);
    expect(none.stderr).toBe("error: no releases in environment production\n");
    expect(both.code).toBe(2);
  });

  it.each([
    ["promote", "promote"],
    ["abort", "abort"],
    ["pause", "pause"],
  ] as const)("%s --id sends the command with its reason", async (command, action) => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());

    const run = await cli(["release", command, "--id", "rel-1", "--reason", "INC-42"], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`release rel-1: ${command} accepted (progressing, step 1/4, weight 0%)\n`);
    expect(h.controller.releases.get("rel-1")?.intent).toMatchObject({ action, actor: "ci-staging", reason: "INC-42" });
  });

  it("resumes a paused release and follows it with --wait", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());
    h.controller.update("rel-1", (release) => ({ ...release, status: "paused", reason: "inconclusive" }));
    h.controller.script("rel-1", [atStep(0), finished("succeeded")]);

    const run = await cli(["release", "resume", "--id", "rel-1", "--wait"], as());

    expect(run.code).toBe(0);
    expect(run.stderr).toContain("step 1/4: canary at 5%");
    expect(run.stdout).toBe(`release rel-1 succeeded: staging runs ${CANARY}\n`);
  });

  it("abort --wait exits 3 once the release is aborted", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());
    // The server reads the release once to authorize the command; the CLI's first poll sees the pending abort, the next the end.
    const same = (release: Release) => release;
    h.controller.script("rel-1", [same, same, finished("aborted", "aborted by ci-staging")]);

    const run = await cli(["release", "abort", "--id", "rel-1", "--wait"], as());

    expect(run.code).toBe(3);
    expect(run.stderr).toContain("  abort requested by ci-staging: aborted by ci-staging");
    expect(run.stdout).toContain("aborted: aborted by ci-staging");
  });

  it("exits 1 for a command on a finished release or an unknown id", async () => {
    await cli(["release", "start", "--env", "staging", "--image", CANARY], as());
    h.controller.update("rel-1", finished("succeeded"));

    const finishedRun = await cli(["release", "abort", "--id", "rel-1"], as());
    const unknown = await cli(["release", "promote", "--id", "rel-9"], as());

    expect(finishedRun.code).toBe(1);
    expect(finishedRun.stderr).toBe("error: release `rel-1` is succeeded; cannot abort: the release has finished\n");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("error: release `rel-9` not found\n");
  });
});

describe("release CLI against the real controller", () => {
  it("runs a release to success with --wait, one header per step", async () => {
    const fakes = harness();
    scriptTraffic(fakes.metrics, { selector: {}, windowSeconds: 300 });
    const rollgate = buildApp({
      engine: fakes.engine,
      logger: pino({ level: "silent" }),
      tokens: releaseTokenStore(),
      readinessChecks: [],
      waitForDeployment: async () => undefined,
      config: { maxConcurrentOperations: 1, previewDefaultTtlHours: 72, smokeChecks: [] },
      releases: fakes.controller,
    });
    const server = await serve(rollgate.app);
    try {
      const run = await cli(["release", "start", "--env", "staging", "--image", "registry.example/web:1.1.0", "--wait"], {
        ROLLGATE_URL: server.url,
        ROLLGATE_TOKEN: releaseTokens.staging,
      });

      expect(run.code).toBe(0);
      expect(run.stdout).toBe("release rel-1 succeeded: staging runs registry.example/web:1.1.0\n");
      const headers = run.stderr.split("\n").filter((line) => line.startsWith("step "));
      expect(headers).toEqual(["step 1/4: canary at 5%", "step 2/4: canary at 25%", "step 3/4: canary at 50%", "step 4/4: canary at 100%"]);
      expect(run.stderr).toMatch(/^ {2}error-rate: successful/m);
      expect(run.stderr).toMatch(/^ {2}latency: successful/m);
    } finally {
      await server.close();
    }
  });
});

describe("ReleaseProgress", () => {
  it("prints nothing new when nothing changed between polls", async () => {
    const h = createReleaseHarness();
    const started = await h.controller.start(parseStartReleaseRequest({ environment: "staging", image: CANARY }), "alice");
    const view = releaseView(started, []) as ReleaseBody;
    const progress = new ReleaseProgress();

    const first = progress.update(view);
    const second = progress.update(view);

    expect(first).toEqual(["release rel-1 (staging): progressing"]);
    expect(second).toEqual([]);
  });

  it("describes a release still running after the timeout", () => {
    const view = { id: "r", environment: "e", status: "paused", step: 1, stepCount: 3, weight: 25, reason: "inconclusive" } as ReleaseBody;

    expect(outcome(view, 60)).toBe("release r is still paused after 60s (step 2/3, weight 25%): inconclusive");
  });
});
