/**
 * The supply-chain gate a release passes before it starts: the image resolved to its digest in its registry, the
 * Sigstore bundles attached to it verified against the environment's trust policy (`<environment>.trust.json` in the
 * trust policy directory). An environment without a policy file is not verified (the release records no verdict).
 */
import { existsSync } from "node:fs";
import { parseImageReference } from "../../components/image";
import { ServiceUnavailableError, UnprocessableError } from "../errors";
import { imageEvidence } from "./registry/imageEvidence";
import { RegistryRequestError } from "./registry/errors";
import { RegistryClient } from "./registry/registryClient";
import { loadTrustPolicy, TRUST_ENVIRONMENTS, trustPolicyFile, type TrustEnvironment, type TrustPolicy } from "./trustPolicy";
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

/** 503: the environment's trust policy file cannot be read; nothing is verified, so no release starts there. */
export class TrustPolicyUnavailableError extends ServiceUnavailableError {}

/**
 * The gate over the trust policies in `options.configDir`. Every policy file there is read at once, so a service
 * with a broken one fails at start naming the file; one broken later answers 503 until it is fixed.
 */
export function trustPolicyGate(options: TrustPolicyGateOptions): ImageGate {
  const client = options.client ?? new RegistryClient();
  for (const environment of TRUST_ENVIRONMENTS) {
    if (existsSync(trustPolicyFile(options.configDir, environment))) readPolicy(options.configDir, environment);
  }
  return {
    async verify(environment, image) {
      if (!isTrustEnvironment(environment) || !existsSync(trustPolicyFile(options.configDir, environment))) return undefined;
      const policy = readPolicy(options.configDir, environment);
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

function readPolicy(configDir: string, environment: TrustEnvironment): TrustPolicy {
  const file = trustPolicyFile(configDir, environment);
  try {
    return loadTrustPolicy(configDir, environment);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TrustPolicyUnavailableError(`${file}: ${why}`);
  }
}

function isTrustEnvironment(environment: string): environment is TrustEnvironment {
  return (TRUST_ENVIRONMENTS as readonly string[]).includes(environment);
}
