import { describe, expect, it } from "vitest";
import { errorSummary, fullMessageOf, messageOf, redactCredentials } from "../../automation/errors";

describe("redactCredentials", () => {
  it("masks the password of every URL in a text and keeps the rest", () => {
    const text = "failed to connect to postgres://rollgate:s3cr3t@127.0.0.1:15432/rollgate?sslmode=disable; also https://bot:tok@ghe.example/api";

    expect(redactCredentials(text)).toBe(
      "failed to connect to postgres://rollgate:****@127.0.0.1:15432/rollgate?sslmode=disable; also https://bot:****@ghe.example/api",
    );
  });

  it("leaves URLs without a password alone", () => {
    expect(redactCredentials("see http://127.0.0.1:9090/api and postgres://db/rollgate")).toBe("see http://127.0.0.1:9090/api and postgres://db/rollgate");
  });
});

describe("messageOf", () => {
  it("gives an error's message without the passwords it quotes", () => {
    expect(messageOf(new Error("pulumi login postgres://u:p4ss@db/x failed"))).toBe("pulumi login postgres://u:****@db/x failed");
  });
});

describe("errorSummary", () => {
  it("drops stack frames and this machine's paths, keeping the rest as it is", () => {
    const cli = new Error(
      [
        "code: 255",
        " stdout: Updating (preview-pr-7):",
        "    at Object.<anonymous> (/work/main/node_modules/@pulumi/pulumi/automation/errors.js:12:9)",
        " stderr: error: could not read /root/.cache/rollgate/toolchain/pulumi-home/credentials.json: permission denied",
      ].join("\n"),
    );

    expect(errorSummary(cli)).toBe(
      "code: 255\n stdout: Updating (preview-pr-7):\n stderr: error: could not read …/credentials.json: permission denied",
    );
  });

  it("keeps a long CLI output's policy violations, indented as Pulumi prints them, and its error lines", () => {
    const progress = Array.from({ length: 80 }, (_, n) => `    + kubernetes:core/v1:ConfigMap cm-${n} create`);
    const cli = new Error(
      [
        "code: 255",
        " stdout: Previewing update (preview-pr-7):",
        ...progress,
        "Policies:",
        "    ❌ rollgate-policies@v0.1.0 (local: /work/main/policies)",
        "        - [mandatory]  workload-image-pinned  (kubernetes:apps/v1:Deployment: sample-app-preview)",
        "          Checks that images are pinned.",
        "          Image ghcr.io/acme/app:latest must be pinned to a version or digest.",
        "Resources:",
        "    + 80 to create",
        " stderr: error: preview failed",
      ].join("\n"),
    );

    const summary = errorSummary(cli);

    expect(summary).toBe(
      [
        "Policies:",
        "    ❌ rollgate-policies@v0.1.0 (local: …/policies)",
        "        - [mandatory]  workload-image-pinned  (kubernetes:apps/v1:Deployment: sample-app-preview)",
        "          Checks that images are pinned.",
        "          Image ghcr.io/acme/app:latest must be pinned to a version or digest.",
        "stderr: error: preview failed",
      ].join("\n"),
    );
  });

  it("leaves URL paths and plain messages alone and caps the length", () => {
    expect(errorSummary(new Error("GET /previews/pr-1/healthz returned 500, expected 200"))).toBe("GET /previews/pr-1/healthz returned 500, expected 200");
    expect(errorSummary(new Error("see https://example.com/work/a/b for details"))).toBe("see https://example.com/work/a/b for details");
    expect(errorSummary(new Error(`error: ${"x".repeat(5000)}`))).toHaveLength(2000);
  });

  it("masks credentials like every message", () => {
    expect(errorSummary(new Error("error: connect postgres://rollgate:s3cret@db:5432/rollgate failed"))).not.toContain("s3cret");
  });
});

describe("fullMessageOf", () => {
  it("adds the messages of an error's causes, for the logs", () => {
    const sdk = new Error("the stack is currently locked by 1 lock(s): postgres://rollgate:pw@db/rollgate by root@host (pid 7)");
    const translated = new Error("another update is in progress", { cause: sdk });

    expect(fullMessageOf(translated)).toBe("another update is in progress\ncaused by: the stack is currently locked by 1 lock(s): postgres://rollgate:****@db/rollgate by root@host (pid 7)");
  });
});
