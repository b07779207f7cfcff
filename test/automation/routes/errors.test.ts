import { describe, expect, it } from "vitest";
import { ConflictError, PreviewNotFoundError, ValidationError } from "../../../automation/errors";
import { NoSuchStackError, StackBusyError, StackExistsError } from "../../../automation/engine/errors";
import { toProblem } from "../../../automation/middleware/problem";
import {
  CorruptReleaseRecordError,
  IllegalTransitionError,
  ReleaseConflictError,
  ReleaseNotFoundError,
  ReleaseValidationError,
} from "../../../automation/release/errors";
import { SupplyChainRefusedError } from "../../../automation/supplyChain/imageGate";
import { RegistryUnavailableError } from "../../../automation/supplyChain/registry/errors";
import { namedError } from "../support/fakeEngine";
import { bearer, createHarness, tokens } from "../support/harness";

describe("error mapping through the app", () => {
  it.each([
    [new StackBusyError("preview-pr-1"), 409],
    [new NoSuchStackError("preview-pr-1"), 404],
    [new StackExistsError("preview-pr-1"), 409],
  ])("maps the engine port's %s to %i with its client-safe message", async (error, status) => {
    const h = createHarness();
    h.engine.failReads = error;

    const response = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(status);
    expect(response.type).toBe("application/problem+json");
    expect(response.body.detail).toBe(error.message);
  });

  it("answers an SDK error the engine did not translate as a 500, whatever its name", async () => {
    const h = createHarness();
    h.engine.failReads = namedError("StackNotFoundError", "stderr: /home/runner/.pulumi/secret-path details");

    const response = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain("secret-path");
  });

  it("answers an unexpected error with a bare 500: no message, no stack", async () => {
    const h = createHarness();
    h.engine.failReads = new TypeError("cannot read properties of undefined (reading 'x') at /srv/app.js:1:1");

    const response = await h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ status: 500, title: "Internal Server Error" });
    expect(JSON.stringify(response.body)).not.toMatch(/TypeError|app\.js|at /);
    expect(h.logs.join("")).toContain("cannot read properties");
  });

  it("records an engine conflict during an operation as the operation's error", async () => {
    const h = createHarness();
    h.engine.failUp = (stack) => new StackBusyError(stack);

    const created = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 4, image: "a/b:c" });
    await h.idle();
    const operation = await h.http.get(`/api/v1/operations/${created.body.operation.id}`).set("Authorization", bearer(tokens.reader));

    expect(operation.body).toMatchObject({ status: "failed", error: "another update is in progress on stack `preview-pr-4`; retry when it has finished" });
  });
});

describe("toProblem", () => {
  it("maps typed service errors by kind", () => {
    expect(toProblem(new PreviewNotFoundError(3)).status).toBe(404);
    expect(toProblem(new ConflictError("busy")).status).toBe(409);
    expect(toProblem(new ValidationError("bad", [{ path: "body.pr", message: "x" }])).body.errors).toEqual([
      { path: "body.pr", message: "x" },
    ]);
  });

  it("maps a supply-chain refusal to a 422 problem naming each failed check, and an unreachable registry to a 503", () => {
    const refusal = new SupplyChainRefusedError("production", "ghcr.io/rollgate/app:2.0.0", {
      verified: false,
      digest: `sha256:${"a".repeat(64)}`,
      findings: ["signature: no signature by any trusted identity", "sbom: package pkg:npm/event-stream@3.3.6 is denied"],
    });
    expect(toProblem(refusal)).toMatchObject({
      status: 422,
      body: {
        type: "https://rollgate.dev/problems/unprocessable",
        title: "Unprocessable Content",
        errors: [
          { path: "body.image", message: "signature: no signature by any trusted identity" },
          { path: "body.image", message: "sbom: package pkg:npm/event-stream@3.3.6 is denied" },
        ],
      },
    });
    expect(toProblem(new RegistryUnavailableError("ghcr.io", "no answer within 10 s"))).toMatchObject({ status: 503, headers: { "Retry-After": "5" } });
  });

  it("maps body-parser errors by type", () => {
    expect(toProblem(Object.assign(new Error("too big"), { type: "entity.too.large", limit: 65536 })).body.detail).toBe(
      "the request body exceeds 64 KiB",
    );
    expect(toProblem(Object.assign(new SyntaxError("x"), { type: "entity.parse.failed" })).status).toBe(400);
    expect(toProblem(Object.assign(new Error("x"), { type: "charset.unsupported" })).status).toBe(415);
  });

  it("maps the release controller's errors by their kind, with their field issues", () => {
    const invalid = new ReleaseValidationError([{ field: "steps[1].weight", message: "must be at most 100" }]);

    expect(toProblem(invalid)).toMatchObject({
      status: 400,
      body: { errors: [{ path: "body.steps[1].weight", message: "must be at most 100" }] },
    });
    expect(toProblem(new ReleaseConflictError("production", "rel-1")).body).toMatchObject({
      status: 409,
      detail: "environment `production` already has an active release (rel-1); promote or abort it first",
    });
    expect(toProblem(new ReleaseNotFoundError("rel-9")).status).toBe(404);
    expect(toProblem(new IllegalTransitionError("rel-1", "succeeded", "promote")).status).toBe(409);
    expect(toProblem(new CorruptReleaseRecordError("releases/rel-1", "bad json")).status).toBe(500);
    expect(toProblem(namedError("ReleaseConflictError", "an impostor by name")).status).toBe(500);
  });

  it("treats anything else as a 500", () => {
    expect(toProblem("a string").status).toBe(500);
    expect(toProblem(new Error("boom")).body.detail).not.toContain("boom");
  });
});
