import { describe, expect, it } from "vitest";
import { bearer, createHarness, tokens } from "../support/harness";

const protectedRoutes = [
  ["get", "/api/v1/previews"],
  ["get", "/api/v1/previews/1"],
  ["post", "/api/v1/previews"],
  ["delete", "/api/v1/previews/1"],
  ["get", "/api/v1/operations/00000000-0000-4000-8000-000000000000"],
  ["get", "/api/v1/operations/00000000-0000-4000-8000-000000000000/events"],
  ["get", "/api/v1/openapi.json"],
] as const;

describe("bearer-token authentication", () => {
  it.each(protectedRoutes)("%s %s answers 401 without a token", async (method, path) => {
    const h = createHarness();

    const response = await h.http[method](path);

    expect(response.status).toBe(401);
    expect(response.type).toBe("application/problem+json");
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(h.engine.calls).toEqual([]);
  });

  it.each([
    ["an unknown token", bearer("rg_not_a_token")],
    ["another scheme", `Basic ${Buffer.from("a:b").toString("base64")}`],
    ["an empty bearer", "Bearer "],
    ["a token with spaces", "Bearer two words"],
  ])("answers 401 for %s", async (_label, header) => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/previews").set("Authorization", header);

    expect(response.status).toBe(401);
    expect(h.engine.calls).toEqual([]);
  });

  it("answers 403 when the token lacks the route's scope", async () => {
    const h = createHarness();

    const write = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.reader)).send({ pr: 1, image: "a/b:c" });
    const read = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.auditor));

    expect(write.status).toBe(403);
    expect(write.body.detail).toContain("previews:write");
    expect(read.status).toBe(403);
    expect(h.engine.calls).toEqual([]);
  });

  it("answers 403 on an operation the token may not read", async () => {
    const h = createHarness();
    const created = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: "a/b:c" });
    await h.idle();

    const response = await h.http.get(`/api/v1/operations/${created.body.operation.id}`).set("Authorization", bearer(tokens.auditor));

    expect(response.status).toBe(403);
  });

  it("lets a wildcard token use every scope", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.admin));

    expect(response.status).toBe(200);
  });

  it("never writes tokens or authorization headers to the log", async () => {
    const h = createHarness();

    await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.admin));
    await h.http.get("/api/v1/previews").set("Authorization", bearer("rg_wrong_secret_value"));
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 3, image: "a/b:c" });
    await h.idle();

    const log = h.logs.join("");
    expect(h.logs.length).toBeGreaterThan(0);
    expect(log).not.toContain(tokens.admin);
    expect(log).not.toContain(tokens.writer);
    expect(log).not.toContain("rg_wrong_secret_value");
  });

  it("logs operation ids in operation log lines", async () => {
    const h = createHarness();

    const created = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 3, image: "a/b:c" });
    await h.idle();

    const lines = h.logs.map((line) => JSON.parse(line) as { msg: string; operationId?: string });
    const finished = lines.find((line) => line.msg === "operation finished");
    expect(finished?.operationId).toBe(created.body.operation.id);
  });
});

describe("public routes", () => {
  it.each(["/healthz", "/readyz", "/metrics"])("%s needs no token", async (path) => {
    const h = createHarness();
    await h.rollgate.recover();

    const response = await h.http.get(path);

    expect(response.status).toBe(200);
  });
});

describe("/metrics with ROLLGATE_METRICS_ACCESS=token", () => {
  it("answers 401 without a token, 403 without `metrics:read` and the metrics with it", async () => {
    const h = createHarness({ config: { metricsAccess: "token" } });
    await h.rollgate.recover();

    const anonymous = await h.http.get("/metrics");
    const reader = await h.http.get("/metrics").set("authorization", bearer(tokens.reader));
    const admin = await h.http.get("/metrics").set("authorization", bearer(tokens.admin));

    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toBe("application/problem+json");
    expect(reader.status).toBe(403);
    expect(admin.status).toBe(200);
    expect(admin.text).toContain("rollgate_operations_running");
  });
});
