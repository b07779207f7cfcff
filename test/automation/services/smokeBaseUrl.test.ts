import { afterEach, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../../automation/env";
import { HttpSmokeChecker } from "../../../automation/services/smoke/httpSmokeChecker";
import { bearer, createHarness, tokens } from "../support/harness";
import { answerWith, startServer, type LocalServer } from "../support/httpServer";

/** The one required setting. */
const database = { ROLLGATE_DATABASE_URL: "postgres://rollgate:pw@db.example:5432/rollgate" };

const smokeChecks = [{ path: "/healthz", expectStatus: 200, timeoutMs: 300 }];
const quickChecker = new HttpSmokeChecker({ retryIntervalMs: 20 });

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("ROLLGATE_SMOKE_BASE_URL", () => {
  it("is read as the smoke checks' base URL", () => {
    expect(parseEnv({ ...database, ROLLGATE_SMOKE_BASE_URL: "http://127.0.0.1:8080/pr-{pr}" }).smokeBaseUrl).toBe(
      "http://127.0.0.1:8080/pr-{pr}",
    );
    expect(parseEnv(database).smokeBaseUrl).toBeUndefined();
  });

  it("stops the service when it is not an http(s) URL", () => {
    expect(() => parseEnv({ ...database, ROLLGATE_SMOKE_BASE_URL: "ftp://gateway/" })).toThrow(EnvError);
    expect(() => parseEnv({ ...database, ROLLGATE_SMOKE_BASE_URL: "gateway:8080" })).toThrow(/ROLLGATE_SMOKE_BASE_URL/);
  });

  it("sends the smoke checks there, with {pr} filled in, instead of to the preview's URL", async () => {
    server = await startServer(answerWith(200));
    const h = createHarness({ config: { smokeChecks, smokeBaseUrl: `${server.url}/previews/{pr}` }, smokeChecker: quickChecker });
    h.engine.urlFor = (pr) => `http://pr-${pr}.preview.invalid`;

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 12, image: "ghcr.io/acme/app:1" });
    await h.idle();
    const preview = await h.http.get("/api/v1/previews/12").set("Authorization", bearer(tokens.reader));

    expect(server.requests).toEqual(["GET /previews/12/healthz"]);
    expect(preview.body).toMatchObject({ status: "ready", url: "http://pr-12.preview.invalid" });
  });
});
