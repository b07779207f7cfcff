import { describe, expect, it } from "vitest";
import { bearer, createHarness, tokens } from "../support/harness";

describe("GET /healthz", () => {
  it("answers ok while the process serves requests", async () => {
    const h = createHarness();

    const response = await h.http.get("/healthz");

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });
});

describe("GET /readyz", () => {
  it("is not ready before crash recovery has run", async () => {
    const h = createHarness();

    const response = await h.http.get("/readyz");

    expect(response.status).toBe(503);
    expect(response.body.checks).toContainEqual({ name: "service", ok: false });
  });

  it("is ready when recovery is done and every check passes", async () => {
    const h = createHarness({
      readinessChecks: [
        { name: "backend", check: async () => undefined },
        { name: "cluster", check: async () => undefined },
      ],
    });
    await h.rollgate.recover();

    const response = await h.http.get("/readyz");

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: "ready",
      checks: [
        { name: "service", ok: true },
        { name: "backend", ok: true },
        { name: "cluster", ok: true },
      ],
    });
  });

  it("is not ready when the cluster is unreachable, without exposing why", async () => {
    const h = createHarness({
      readinessChecks: [{ name: "cluster", check: async () => Promise.reject(new Error("dial tcp 10.0.0.1:6443: refused")) }],
    });
    await h.rollgate.recover();

    const response = await h.http.get("/readyz");

    expect(response.status).toBe(503);
    expect(response.body.checks).toContainEqual({ name: "cluster", ok: false });
    expect(JSON.stringify(response.body)).not.toContain("10.0.0.1");
  });

  it("is not ready while draining", async () => {
    const h = createHarness();
    await h.rollgate.recover();
    await h.rollgate.drain(100);

    const response = await h.http.get("/readyz");

    expect(response.status).toBe(503);
  });
});

describe("GET /metrics", () => {
  it("exposes operation counters, durations, queue depth and previews by status", async () => {
    const h = createHarness();
    h.engine.failUp = (stack) => (stack === "preview-pr-2" ? new Error("boom") : undefined);
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: "a/b:1" });
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 2, image: "a/b:1" });
    await h.idle();

    const response = await h.http.get("/metrics");

    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = response.text;
    expect(text).toContain("# TYPE rollgate_operations_total counter");
    expect(text).toContain('rollgate_operations_total{kind="up",result="succeeded"} 1');
    expect(text).toContain('rollgate_operations_total{kind="up",result="failed"} 1');
    expect(text).toContain("# TYPE rollgate_operation_duration_seconds histogram");
    expect(text).toMatch(/rollgate_operation_duration_seconds_count\{kind="up",result="succeeded"\} 1/);
    expect(text).toContain("rollgate_operation_queue_depth 0");
    expect(text).toContain('rollgate_previews{status="ready"} 1');
    expect(text).toContain('rollgate_previews{status="failed"} 1');
    expect(text).toContain('rollgate_previews{status="creating"} 0');
  });

  it("still renders when the backend cannot be listed", async () => {
    const h = createHarness();
    h.engine.failReads = new Error("backend unreachable");

    const response = await h.http.get("/metrics");

    expect(response.status).toBe(200);
    expect(response.text).toContain("rollgate_operation_queue_depth 0");
    expect(response.text).not.toMatch(/^rollgate_previews\{/m);
  });

  it("shows queued operations in the queue depth", async () => {
    const h = createHarness({ config: { maxConcurrentOperations: 1 } });
    h.engine.holding = true;
    for (const pr of [1, 2, 3]) {
      await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image: "a/b:1" });
    }
    await h.engine.waitForHeld(1);

    const response = await h.http.get("/metrics");
    h.engine.holding = false;
    h.engine.release();
    await h.idle();

    expect(response.text).toContain("rollgate_operation_queue_depth 2");
    expect(response.text).toContain("rollgate_operations_running 1");
  });
});
