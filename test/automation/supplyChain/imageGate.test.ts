/** The trust policy files behind the gate: read at once (a broken one stops the service at start), 503 when broken later. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { errorKindOf } from "../../../automation/errors";
import { trustPolicyGate, TrustPolicyUnavailableError } from "../../../automation/supplyChain/imageGate";
import { newKey, trustPolicyInput } from "./signing";

const dirs: string[] = [];
function trustDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rg-unit-trust-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("trustPolicyGate", () => {
  it("refuses to start over an invalid trust policy, naming the file and the field", () => {
    const dir = trustDir({ "production.trust.json": JSON.stringify({ environment: "production", requiredAttestations: [] }) });

    expect(() => trustPolicyGate({ configDir: dir })).toThrow(
      /production\.trust\.json: trust policy for production is invalid: `trustedKeys` must name a key or a keyless identity/,
    );
  });

  it("refuses to start over a file that is not JSON", () => {
    const dir = trustDir({ "staging.trust.json": "{ not json" });

    expect(() => trustPolicyGate({ configDir: dir })).toThrow(/staging\.trust\.json: .*JSON/);
  });

  it("answers 503 (unavailable) when a policy is broken after the start, and verifies nothing where no policy exists", async () => {
    const dir = trustDir({ "staging.trust.json": JSON.stringify(trustPolicyInput("staging", newKey())) });
    const gate = trustPolicyGate({ configDir: dir });
    writeFileSync(join(dir, "staging.trust.json"), "{}");

    const broken = gate.verify("staging", "registry.example/web:1.0.0");

    await expect(broken).rejects.toBeInstanceOf(TrustPolicyUnavailableError);
    expect(errorKindOf(await broken.catch((error: unknown) => error))).toBe("unavailable");
    await expect(gate.verify("production", "registry.example/web:1.0.0")).resolves.toBeUndefined();
  });
});
