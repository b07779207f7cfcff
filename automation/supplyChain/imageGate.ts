/**
 * The supply-chain gate a release passes before it starts: the image resolved to its digest in its registry, the
 * Sigstore bundles attached to it verified against the environment's trust policy (`<environment>.trust.json` in the
 * trust policy directory). An environment without a policy file is not verified (the release records no verdict).
 */
import { existsSync } from "node:fs";
import { parseImageReference } from "../../components/image";
import { UnprocessableError } from "../errors";
import { imageEvidence } from "./registry/imageEvidence";
import { RegistryRequestError } from "./registry/errors";
import { RegistryClient } from "./registry/registryClient";
import { loadTrustPolicy, TRUST_ENVIRONMENTS, trustPolicyFile, type TrustEnvironment } from "./trustPolicy";
import { supplyChainVerdict, type Verdict } from "./verdict";

export interface ImageGate {
  /**
   * The verdict on `image` for `environment`, or `undefined` when the environment has no trust policy. A registry that
   * cannot be reached throws `RegistryUnavailableError` (nothing is known; the release does not start).
   */
  verify(environment: string, image: string): Promise<Verdict | undefined>;
}

/** 422: the image failed its checks; each finding is an error on `body.image`. */
export class SupplyChainRefusedError extends UnprocessableError {
  constructor(
    environment: string,
    image: string,
    readonly verdict: Verdict,
  ) {
    super(
      `image \`${image}\` is refused for \`${environment}\`: ${verdict.findings.join("; ")}`,
      verdict.findings.map((finding) => ({ path: "body.image", message: finding })),
    );
  }
}

export interface TrustPolicyGateOptions {
  /** Where `<environment>.trust.json` files are read from. */
  readonly configDir: string;
  readonly client?: RegistryClient;
  /** Sigstore trusted-root JSON for keyless signatures. */
  readonly trustedRoot?: unknown;
}

export function trustPolicyGate(options: TrustPolicyGateOptions): ImageGate {
  const client = options.client ?? new RegistryClient();
  return {
    async verify(environment, image) {
      if (!isTrustEnvironment(environment) || !existsSync(trustPolicyFile(options.configDir, environment))) return undefined;
      const policy = loadTrustPolicy(options.configDir, environment);
      const reference = parseImageReference(image);
      if (!reference) return { verified: false, digest: "", findings: [`registry: \`${image}\` is not an image reference`] };
      try {
        return supplyChainVerdict(await imageEvidence(client, reference), policy, options.trustedRoot);
      } catch (error) {
        if (!(error instanceof RegistryRequestError)) throw error;
        return { verified: false, digest: reference.digest ?? "", findings: [`registry: ${error.message}`] };
      }
    },
  };
}

function isTrustEnvironment(environment: string): environment is TrustEnvironment {
  return (TRUST_ENVIRONMENTS as readonly string[]).includes(environment);
}
