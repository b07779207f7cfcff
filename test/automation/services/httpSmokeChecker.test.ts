import { afterEach, describe, expect, it } from "vitest";
import { HttpSmokeChecker, joinUrl } from "../../../automation/services/smoke/httpSmokeChecker";
import { answerWith, startServer, type LocalServer } from "../support/httpServer";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const checker = new HttpSmokeChecker({ retryIntervalMs: 10 });

describe("HttpSmokeChecker", () => {
  it("passes when every path answers the expected status", async () => {
    server = await startServer((req, res) => {
      res.statusCode = req.url === "/app/ready" ? 204 : 200;
      res.end();
    });

    const result = await checker.check(`${server.url}/app/`, [
      { path: "/healthz", expectStatus: 200, timeoutMs: 500 },
      { path: "/ready", expectStatus: 204, timeoutMs: 500 },
    ]);

    expect(result).toEqual({ ok: true });
    expect(server.requests).toEqual(["GET /app/healthz", "GET /app/ready"]);
  });

  it("retries until the status matches within the timeout", async () => {
    let calls = 0;
    server = await startServer((_req, res) => {
      calls += 1;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end();
    });

    const result = await checker.check(server.url, [{ path: "/healthz", expectStatus: 200, timeoutMs: 2000 }]);

    expect(result).toEqual({ ok: true });
    expect(calls).toBe(3);
  });

  it("fails with the last status when it never matches", async () => {
    server = await startServer(answerWith(500));

    const result = await checker.check(server.url, [{ path: "/healthz", expectStatus: 200, timeoutMs: 100 }]);

    expect(result).toEqual({ ok: false, reason: "GET /healthz returned 500, expected 200" });
  });

  it("does not follow redirects", async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 302;
      res.setHeader("Location", "https://example.invalid/");
      res.end();
    });

    const result = await checker.check(server.url, [{ path: "/", expectStatus: 302, timeoutMs: 500 }]);

    expect(result).toEqual({ ok: true });
  });

  it("fails when nothing answers in time", async () => {
    server = await startServer(() => undefined);

    const result = await checker.check(server.url, [{ path: "/slow", expectStatus: 200, timeoutMs: 100 }]);

    expect(result).toEqual({ ok: false, reason: "GET /slow did not answer within 100 ms" });
  });

  it("names the network error when nothing listens", async () => {
    server = await startServer(answerWith(200));
    const url = server.url;
    await server.close();
    server = undefined;

    const result = await checker.check(url, [{ path: "/healthz", expectStatus: 200, timeoutMs: 100 }]);

    expect(result).toEqual({ ok: false, reason: "GET /healthz failed: ECONNREFUSED" });
  });

  it("joins paths under the preview URL", () => {
    expect(joinUrl("http://h/app/", "/healthz")).toBe("http://h/app/healthz");
    expect(joinUrl("http://h", "healthz")).toBe("http://h/healthz");
  });
});
