/**
 * The controller and the supply-chain gate: a refused image fails the start with a 422-kind error naming each
 * finding, creates nothing, updates nothing and tells the audit trail (`release.refused`); a verified image's verdict
 * is on the record and feeds the risk classification; an unreachable registry fails the start with nothing created.
 */
import { describe, expect, it } from "vitest";
import { errorKindOf } from "../../../automation/errors";
import type { ReleaseChange, ReleaseRiskAssessment } from "../../../automation/release/risk/assessRelease";
import { parseStartReleaseRequest } from "../../../automation/release/schemas";
import { planSteps } from "../../../automation/release/steps";
import { SupplyChainRefusedError, type ImageGate } from "../../../automation/supplyChain/imageGate";
import { RegistryUnavailableError } from "../../../automation/supplyChain/registry/errors";
import type { Verdict } from "../../../automation/supplyChain/verdict";
import { harness, KEYS, scriptTraffic } from "./fakes";

const CANARY = "registry.example/web:1.1.0";
const digest = `sha256:${"a".repeat(64)}`;
const scope = { selector: {}, windowSeconds: 300 };

const lowRisk: ReleaseRiskAssessment = {
  level: "low",
  score: 0,
  reasons: [],
  plan: { planLevel: "low", steps: planSteps([100], 0), approvalRequired: false, why: "low risk: the low plan" },
  approvalTimeoutMinutes: 240,
};

function gated(verify: ImageGate["verify"]) {
  const changes: ReleaseChange[] = [];
  const h = harness({
    imageGate: { verify },
    risk: (change) => {
      changes.push(change);
      return Promise.resolve(lowRisk);
    },
  });
  scriptTraffic(h.metrics, scope);
  return { ...h, changes };
}

const request = () => parseStartReleaseRequest({ environment: "staging", image: CANARY });

describe("the supply-chain gate at release start", () => {
  it("refuses an image that fails its checks: a 422-kind error naming each finding, nothing created, the refusal told", async () => {
    const refused: Verdict = { verified: false, digest, findings: ["signature: no signature by any trusted identity", "sbom: no SBOM attestation by a trusted identity"] };
    const h = gated(() => Promise.resolve(refused));

    const start = h.controller.start(request(), "alice");

    await expect(start).rejects.toBeInstanceOf(SupplyChainRefusedError);
    const error = (await start.then(
      () => undefined,
      (caught: unknown) => caught,
    )) as SupplyChainRefusedError;
    expect(errorKindOf(error)).toBe("unprocessable");
    expect(error.errors).toEqual([
      { path: "body.image", message: "signature: no signature by any trusted identity" },
      { path: "body.image", message: "sbom: no SBOM attestation by a trusted identity" },
    ]);
    expect(await h.store.list()).toEqual([]);
    expect(h.engine.ups).toEqual([]);
    expect(h.changes).toEqual([]);
    expect(h.notifier.events).toEqual([
      expect.objectContaining({ type: "release.refused", status: "refused", environment: "staging", image: CANARY, actor: "alice", reason: refused.findings.join("; ") }),
    ]);
  });

  it("keeps a passed verdict on the record and gives the classifier `pass`, or `warn` for an unsigned image a policy allowed", async () => {
    const passed: Verdict = { verified: true, digest, signer: "key:ci", sbomDigest: `sha256:${"b".repeat(64)}`, builder: "https://github.com/actions/runner/github-hosted", findings: [] };
    const h = gated(() => Promise.resolve(passed));

    const started = await h.controller.start(request(), "alice");

    expect(started.supplyChain).toEqual({ digest, signer: "key:ci", sbomDigest: passed.sbomDigest, builder: passed.builder });
    expect(h.changes[0]?.supplyChain).toBe("pass");
    expect((await h.controller.whenSettled(started.id)).status).toBe("succeeded");

    const unsigned = gated(() => Promise.resolve({ verified: true, digest, unsignedAllowed: true as const, findings: [] }));
    const next = await unsigned.controller.start(request(), "alice");
    expect(next.supplyChain).toEqual({ digest, unsignedAllowed: true });
    expect(unsigned.changes[0]?.supplyChain).toBe("warn");
  });

  it("starts nothing when the registry cannot be reached, and records no verdict for an environment without a policy", async () => {
    const down = gated(() => Promise.reject(new RegistryUnavailableError("registry.example", "no answer within 10 s")));
    await expect(down.controller.start(request(), "alice")).rejects.toThrow("registry registry.example is unavailable: no answer within 10 s");
    expect(await down.store.list()).toEqual([]);

    const unverified = gated(() => Promise.resolve(undefined));
    const started = await unverified.controller.start(request(), "alice");
    expect(started.supplyChain).toBeUndefined();
    expect(unverified.changes[0]).not.toHaveProperty("supplyChain");
  });

  it("stamps the verified digest with the canary's image and, at promotion, with stable's; an allowed unsigned image gets none", async () => {
    const passed: Verdict = { verified: true, digest, signer: "key:ci", findings: [] };
    const h = gated(() => Promise.resolve(passed));
    const started = await h.controller.start(request(), "alice");
    await h.controller.whenSettled(started.id);

    const canary = h.engine.ups.find((call) => call.config[KEYS.canaryImage] === CANARY);
    expect(canary?.config[KEYS.canaryVerifiedDigest]).toBe(digest);
    expect(h.engine.configOf("staging")).toMatchObject({ [KEYS.stableImage]: CANARY, [KEYS.stableVerifiedDigest]: digest });
    expect(h.changes[0]?.config[KEYS.canaryVerifiedDigest]).toEqual({ value: digest });

    const unsigned = gated(() => Promise.resolve({ verified: true, digest, unsignedAllowed: true as const, findings: [] }));
    await unsigned.controller.whenSettled((await unsigned.controller.start(request(), "alice")).id);
    expect(unsigned.engine.configOf("staging")).toMatchObject({ [KEYS.stableImage]: CANARY, [KEYS.stableVerifiedDigest]: "", [KEYS.canaryVerifiedDigest]: "" });
  });
});
