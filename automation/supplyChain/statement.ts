/** in-toto statements (https://in-toto.io/Statement/v1 and v0.1), the payload of every attestation. */
import { isRecord, list, record } from "../../components/untyped";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

export interface InTotoStatement {
  readonly predicateType: string;
  readonly predicate: unknown;
  /** The subjects' SHA-256 digests as `sha256:<hex>`. */
  readonly subjectDigests: readonly string[];
}

/** Parses a statement's JSON bytes; `undefined` when they are not one. */
export function parseStatement(payload: Buffer): InTotoStatement | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed._type !== "string" || !parsed._type.startsWith("https://in-toto.io/Statement/")) return undefined;
  if (typeof parsed.predicateType !== "string") return undefined;
  const subjectDigests = list(parsed.subject)
    .map((subject) => record(record(subject).digest).sha256)
    .filter((hex): hex is string => typeof hex === "string")
    .map((hex) => `sha256:${hex.toLowerCase()}`);
  return { predicateType: parsed.predicateType, predicate: parsed.predicate, subjectDigests };
}
