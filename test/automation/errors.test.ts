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
  it("keeps Pulumi's error lines, without this machine's paths or stack frames", () => {
    const cli = new Error(
      [
        "code: 255",
        " stdout: Updating (preview-pr-7):",
        "    pulumi:pulumi:Stack rollgate-preview-pr-7 running",
        "    at Object.<anonymous> (/work/main/node_modules/@pulumi/pulumi/automation/errors.js:12:9)",
        " stderr: error: could not read /root/.cache/rollgate/toolchain/pulumi-home/credentials.json: permission denied",
        "error: update failed",
      ].join("\n"),
    );

    const summary = errorSummary(cli);

    expect(summary).toBe("stderr: error: could not read …/credentials.json: permission denied\nerror: update failed");
  });

  it("leaves URL paths and plain messages alone and caps the length", () => {
    expect(errorSummary(new Error("GET /previews/pr-1/healthz returned 500, expected 200"))).toBe("GET /previews/pr-1/healthz returned 500, expected 200");
    expect(errorSummary(new Error("see https://example.com/work/a/b for details"))).toBe("see https://example.com/work/a/b for details");
    expect(errorSummary(new Error(`error: ${"x".repeat(5000)}`))).toHaveLength(1000);
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
