/**
 * The supply-chain gate as a pipeline step, before `deploy.sh` updates an environment (and in CI):
 *
 *   tsx scripts/pipeline/verify-image.ts <environment> <image> [<trust policy dir>]
 *
 * Verifies the image against `<environment>.trust.json` in the directory (default `policies/config`) with the same gate
 * a release start uses, prints the verdict as JSON on stdout and one line on stderr, and exits 0 when verified (or the
 * environment has no trust policy), 1 when refused, 2 on a usage error, 5 when the registry cannot be reached.
 * Keyless signatures need Sigstore's trusted root: `ROLLGATE_SIGSTORE_TRUSTED_ROOT` names its `trusted_root.json`.
 */
import { join } from "node:path";
import { exitCodes } from "../../automation/cli/types";
import { trustPolicyGate } from "../../automation/supplyChain/imageGate";
import { RegistryUnavailableError } from "../../automation/supplyChain/registry/errors";
import { loadTrustedRoot } from "../../automation/supplyChain/trustedRoot";

export interface VerifyImageOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export async function verifyImage(argv: readonly string[], io: VerifyImageOutput = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [environment, image, directory] = argv;
  if (!environment || !image || argv.length > 3) {
    io.stderr.write("usage: verify-image.ts <environment> <image> [<trust policy dir>]\n");
    return exitCodes.usage;
  }
  const configDir = directory ?? join(__dirname, "..", "..", "policies", "config");
  try {
    const trustedRootFile = process.env.ROLLGATE_SIGSTORE_TRUSTED_ROOT;
    const trustedRoot = trustedRootFile ? { trustedRoot: loadTrustedRoot(trustedRootFile) } : {};
    const verdict = await trustPolicyGate({ configDir, ...trustedRoot }).verify(environment, image);
    io.stdout.write(`${JSON.stringify(verdict ?? null)}\n`);
    if (verdict === undefined) {
      io.stderr.write(`supply chain: ${environment} has no trust policy in ${configDir}; ${image} not verified\n`);
      return exitCodes.ok;
    }
    if (!verdict.verified) {
      io.stderr.write(`supply chain: ${image} refused for ${environment}: ${verdict.findings.join("; ")}\n`);
      return exitCodes.failed;
    }
    io.stderr.write(`supply chain: ${image} verified for ${environment} (${verdict.digest}${verdict.signer ? `, signed by ${verdict.signer}` : ""})\n`);
    return exitCodes.ok;
  } catch (error) {
    io.stderr.write(`supply chain: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof RegistryUnavailableError ? exitCodes.unreachable : exitCodes.failed;
  }
}

if (require.main === module) {
  void verifyImage(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
