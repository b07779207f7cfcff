import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, redactCredentialFields } from "../../automation/logger";

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe("the service logger", () => {
  it("censors credentials nested deeper than one level", async () => {
    const { lines, stream } = capture();
    createLogger("info", stream).info({ request: { headers: { authorization: "Bearer abc", "x-hub-signature-256": "sha256=1" } } }, "seen");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ request: { headers: { authorization: "[redacted]", "x-hub-signature-256": "[redacted]" } }, msg: "seen" });
  });

  it("censors passphrases, passwords and keys that end in a credential word", async () => {
    const { lines, stream } = capture();
    createLogger("info", stream).info({ config: { pulumiPassphrase: "p", databasePassword: "d", githubToken: "g", webhookSecret: "w", environment: "staging" } }, "boot");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]!.config).toEqual({ pulumiPassphrase: "[redacted]", databasePassword: "[redacted]", githubToken: "[redacted]", webhookSecret: "[redacted]", environment: "staging" });
    expect(JSON.stringify(lines[0])).not.toMatch(/"(p|d|g|w)"/);
  });

  it("censors inside arrays and survives cycles", () => {
    const cyclic: Record<string, unknown> = { items: [{ token: "t", name: "a" }] };
    cyclic.self = cyclic;
    const redacted = redactCredentialFields(cyclic) as { items: unknown[] };
    expect(redacted.items).toEqual([{ token: "[redacted]", name: "a" }]);
  });

  it("leaves values of other keys and errors as they are", () => {
    const error = new Error("boom");
    expect(redactCredentialFields({ tokenScope: "releases:write", err: error, count: 3 })).toEqual({ tokenScope: "releases:write", err: error, count: 3 });
  });
});
