/** A release's supply-chain verdict in one line, as the CLI and the audit trail show it. */
export interface RecordedVerdict {
  readonly digest: string;
  readonly signer?: string | undefined;
  readonly sbomDigest?: string | undefined;
  readonly builder?: string | undefined;
  readonly unsignedAllowed?: true | undefined;
}

export function describeVerdict(verdict: RecordedVerdict): string {
  if (verdict.unsignedAllowed) return `${verdict.digest} unsigned, allowed by the trust policy`;
  return [verdict.digest, verdict.signer && `signed by ${verdict.signer}`, verdict.sbomDigest && `SBOM ${verdict.sbomDigest}`, verdict.builder && `built by ${verdict.builder}`]
    .filter(Boolean)
    .join(", ");
}
