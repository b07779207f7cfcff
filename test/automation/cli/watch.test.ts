import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CANARY, atStep, createReleaseHarness, finished, releaseTokens, type ReleaseHarness } from "../releases/support";
import { cli, serve, type Served } from "./support";

describe("rollgate release status --watch", () => {
  let h: ReleaseHarness;
  let server: Served;
  const as = () => ({ ROLLGATE_URL: server.url, ROLLGATE_TOKEN: releaseTokens.staging });
  beforeEach(async () => {
    h = createReleaseHarness();
    server = await serve(h.rollgate.app);
    await cli(["release", "start", "--env", "staging", "--image", CANARY, "--steps", "5,50,100"], as());
  });
  afterEach(async () => {
    await server.close();
  });

  it("follows the latest release of an environment to its end, one line per change, and exits 0 when it succeeds", async () => {
    h.controller.script("rel-1", [atStep(0), atStep(0), atStep(1), finished("succeeded")]);

    const run = await cli(["release", "status", "--env", "staging", "--watch"], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`release rel-1 succeeded: staging runs ${CANARY}\n`);
    expect(run.stderr.split("\n")).toEqual([
      `dashboard: ${server.url}/#release-rel-1`,
      "release rel-1 (staging): progressing",
      "step 1/3: canary at 5%",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 1)",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 1)",
      "step 2/3: canary at 50%",
      "  error-rate: successful (canary 0.1% ≤ 1% at step 2)",
      "release rel-1 (staging): succeeded",
      "",
    ]);
  });

  it("exits 3 when the watched release is rolled back, naming why", async () => {
    h.controller.script("rel-1", [atStep(0), finished("rolledBack", "analysis failed at step 1/3 (5%): error-rate failed")]);

    const run = await cli(["release", "status", "--id", "rel-1", "--watch"], as());

    expect(run.code).toBe(3);
    expect(run.stdout).toBe("release rel-1 rolled back: analysis failed at step 1/3 (5%): error-rate failed; staging still runs ghcr.io/acme/web:1.0.0\n");
  });

  it("exits 3 when the watched release is aborted", async () => {
    h.controller.script("rel-1", [finished("aborted", "aborted by alice")]);

    const run = await cli(["release", "status", "--id", "rel-1", "--watch"], as());

    expect(run.code).toBe(3);
  });

  it("exits 1 when the watched release fails", async () => {
    h.controller.script("rel-1", [finished("failed", "rollback failed")]);

    const run = await cli(["release", "status", "--id", "rel-1", "--watch"], as());

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("release rel-1 failed: rollback failed\n");
  });

  it("returns at once with the outcome of a release that has already ended", async () => {
    h.controller.update("rel-1", finished("succeeded"));

    const run = await cli(["release", "status", "--id", "rel-1", "--watch"], as());

    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`dashboard: ${server.url}/#release-rel-1\nrelease rel-1 (staging): succeeded\n`);
  });

  it("stops at --timeout and exits 4 while the release still runs", async () => {
    const run = await cli(["release", "status", "--id", "rel-1", "--watch", "--timeout", "1s"], as(), 50);

    expect(run.code).toBe(4);
    expect(run.stdout).toBe("release rel-1 is still progressing after 1s (step 1/3, weight 0%)\n");
  });

  it("prints the final record as JSON with --json", async () => {
    h.controller.script("rel-1", [finished("succeeded")]);

    const run = await cli(["release", "status", "--id", "rel-1", "--watch", "--json"], as());

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: "rel-1", status: "succeeded" });
  });

  it("exits 5 when the server cannot be reached", async () => {
    const run = await cli(["release", "status", "--id", "rel-1", "--watch"], { ROLLGATE_URL: "http://127.0.0.1:1", ROLLGATE_TOKEN: "x" });

    expect(run.code).toBe(5);
    expect(run.stderr).toContain("cannot reach the Rollgate server at http://127.0.0.1:1");
  });

  it("shows the dashboard link without --watch", async () => {
    const run = await cli(["release", "status", "--id", "rel-1"], as());

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^dashboard:\\s+${server.url}/#release-rel-1$`, "m"));
  });
});
