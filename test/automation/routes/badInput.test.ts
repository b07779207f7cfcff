import { describe, expect, it } from "vitest";
import { bearer, createHarness, sha, tokens } from "../support/harness";

const valid = { pr: 12, image: "ghcr.io/acme/app:1.2.3", branch: "feature/x", commitSha: sha("a"), ttlHours: 24 };

const badBodies: [string, unknown, string][] = [
  ["a missing pr", { image: valid.image }, "body.pr"],
  ["a zero pr", { ...valid, pr: 0 }, "body.pr"],
  ["a negative pr", { ...valid, pr: -3 }, "body.pr"],
  ["a fractional pr", { ...valid, pr: 1.5 }, "body.pr"],
  ["a pr given as a string", { ...valid, pr: "12" }, "body.pr"],
  ["a huge pr", { ...valid, pr: 1e12 }, "body.pr"],
  ["a missing image", { pr: 12 }, "body.image"],
  ["an image with upper-case letters", { ...valid, image: "GHCR.io/Acme/App:1" }, "body.image"],
  ["an image with a space", { ...valid, image: "ghcr.io/acme/app :1" }, "body.image"],
  ["an image with shell characters", { ...valid, image: "ghcr.io/acme/app:1;rm -rf /" }, "body.image"],
  ["an image with an empty tag", { ...valid, image: "ghcr.io/acme/app:" }, "body.image"],
  ["an image with a malformed digest", { ...valid, image: "ghcr.io/acme/app@sha256:xyz" }, "body.image"],
  ["a branch with '..'", { ...valid, branch: "feature/../main" }, "body.branch"],
  ["a branch with a space", { ...valid, branch: "my branch" }, "body.branch"],
  ["a branch starting with '-'", { ...valid, branch: "-rf" }, "body.branch"],
  ["a branch ending in .lock", { ...valid, branch: "main.lock" }, "body.branch"],
  ["an empty branch", { ...valid, branch: "" }, "body.branch"],
  ["a short sha", { ...valid, commitSha: "abc1234" }, "body.commitSha"],
  ["a sha with non-hex characters", { ...valid, commitSha: "g".repeat(40) }, "body.commitSha"],
  ["a ttl of zero", { ...valid, ttlHours: 0 }, "body.ttlHours"],
  ["a ttl above 720", { ...valid, ttlHours: 721 }, "body.ttlHours"],
  ["a fractional ttl", { ...valid, ttlHours: 1.5 }, "body.ttlHours"],
  ["an unknown field", { ...valid, namespace: "kube-system" }, "body"],
  ["an array body", [valid], "body"],
];

describe("bad request bodies", () => {
  it.each(badBodies)("rejects %s with 400 naming the field, without calling the engine", async (_label, body, path) => {
    const h = createHarness();

    const response = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send(body as object);

    expect(response.status).toBe(400);
    expect(response.type).toBe("application/problem+json");
    expect(response.body).toMatchObject({ type: expect.any(String), title: "Bad Request", status: 400, detail: expect.any(String) });
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(h.engine.calls).toEqual([]);
  });

  it("gives one message for a malformed image", async () => {
    const h = createHarness();

    const response = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ ...valid, image: "x y" });

    expect(response.body.errors).toEqual([{ path: "body.image", message: `must have a repository path of lowercase letters and digits joined by '/', '.', '_', '__' or '-' (got "x y")` }]);
  });

  it("lists every bad field at once", async () => {
    const h = createHarness();

    const response = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: -1, image: "" });

    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(expect.arrayContaining(["body.pr", "body.image"]));
  });

  it("rejects malformed JSON with 400", async () => {
    const h = createHarness();

    const response = await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .set("Content-Type", "application/json")
      .send('{"pr": 12, "image": ');

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, detail: "the request body is not valid JSON" });
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a body over 64 KiB with 413", async () => {
    const h = createHarness();

    const response = await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ ...valid, padding: "x".repeat(70 * 1024) });

    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, title: "Payload Too Large" });
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a body that is not JSON with 415", async () => {
    const h = createHarness();

    const response = await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .set("Content-Type", "text/plain")
      .send("pr=12");

    expect(response.status).toBe(415);
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects a missing body with 400", async () => {
    const h = createHarness();

    const response = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer));

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: "body", message: "Required" }]);
  });
});

describe("bad path parameters, queries and headers", () => {
  it.each(["0", "-1", "1.5", "1e3", "abc", "12abc", "0x1f", "%20", "1234567890"])(
    "rejects the PR number %j with 400 without calling the engine",
    async (pr) => {
      const h = createHarness();

      const get = await h.http.get(`/api/v1/previews/${pr}`).set("Authorization", bearer(tokens.writer));
      const del = await h.http.delete(`/api/v1/previews/${pr}`).set("Authorization", bearer(tokens.writer));

      expect(get.status).toBe(400);
      expect(del.status).toBe(400);
      expect(get.body.errors[0].path).toBe("params.pr");
      expect(h.engine.calls).toEqual([]);
    },
  );

  it("rejects a malformed operation id with 400", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/operations/not-a-uuid").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe("params.id");
  });

  it("rejects unknown query parameters with 400", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/previews?page=5").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toEqual({ path: "query", message: "unknown field(s): page" });
    expect(h.engine.calls).toEqual([]);
  });

  it("rejects an unknown status filter with 400", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/previews?status=sleeping").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe("query.status");
  });

  it("rejects a malformed Last-Event-ID header with 400", async () => {
    const h = createHarness();
    const created = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: "a/b:c" });
    await h.idle();

    const response = await h.http
      .get(`/api/v1/operations/${created.body.operation.id}/events`)
      .set("Authorization", bearer(tokens.reader))
      .set("Last-Event-ID", "-5");

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe("headers.last-event-id");
  });
});

describe("unknown routes and methods", () => {
  it("answers 404 problem+json for an unknown route", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v2/nothing");

    expect(response.status).toBe(404);
    expect(response.type).toBe("application/problem+json");
    expect(response.body).toMatchObject({ status: 404, title: "Not Found" });
  });

  it("answers 405 with Allow for a known path and wrong method", async () => {
    const h = createHarness();

    const response = await h.http.put("/api/v1/previews").set("Authorization", bearer(tokens.admin)).send({});

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("POST, GET");
  });
});
