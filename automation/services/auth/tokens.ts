/**
 * API tokens: a JSON file of `{ name, sha256, scopes }`. Only SHA-256 digests
 * are stored; a presented token is hashed and compared in constant time with
 * every entry.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";

/** `previews:read`, `previews:write`, `releases:<env>`, `audit:read`; `*` and `<area>:*` grant more. */
export const Scope = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9-]*:(\*|[a-z0-9][a-z0-9-]*))$/, "must look like `previews:read`, `releases:production` or `*`");

export const TokensFile = z.array(
  z
    .object({
      name: z.string().min(1).max(100),
      sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a hex SHA-256 digest"),
      scopes: z.array(Scope).min(1),
    })
    .strict(),
);

export type TokenEntry = z.infer<typeof TokensFile>[number];

export interface Principal {
  readonly name: string;
  readonly scopes: readonly string[];
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function hasScope(principal: Principal, required: string): boolean {
  const area = required.slice(0, required.indexOf(":") + 1);
  return principal.scopes.some((scope) => scope === "*" || scope === required || (area !== "" && scope === `${area}*`));
}

export class TokenStore {
  private readonly entries: readonly { readonly digest: Buffer; readonly principal: Principal }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((entry) => ({
      digest: Buffer.from(entry.sha256, "hex"),
      principal: { name: entry.name, scopes: [...entry.scopes] },
    }));
  }

  /** Reads and validates a tokens file; errors name the file, never a token. */
  static async fromFile(file: string): Promise<TokenStore> {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
      throw new Error(`cannot read tokens file ${file}: ${(err as Error).message}`);
    }
    const parsed = TokensFile.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`tokens file ${file} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
    }
    return new TokenStore(parsed.data);
  }

  /** The principal a bearer token belongs to. Looks at every entry, whatever matches. */
  authenticate(token: string): Principal | undefined {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest) && !found) found = entry.principal;
    }
    return found;
  }
}

export interface LocalTokens {
  readonly tokensFile: string;
  readonly tokenFile: string;
  readonly readTokenFile: string;
  /** False when every file was already there. */
  readonly created: boolean;
}

/** What the local read token may do: look at everything (the dashboard), change nothing. */
export const LOCAL_READ_SCOPES = ["releases:read", "previews:read", "audit:read", "metrics:read"] as const;

/**
 * For local use without `ROLLGATE_TOKENS_FILE`: an admin token in
 * `<stateDir>/token` and a read-only one (for the dashboard) in
 * `<stateDir>/read-token` (mode 0600), their digests in
 * `<stateDir>/tokens.json`. Existing files are kept, so the CLI's token stays
 * valid across restarts.
 */
export async function ensureLocalTokens(stateDir: string): Promise<LocalTokens> {
  const directory = resolve(stateDir);
  const tokenFile = join(directory, "token");
  const readTokenFile = join(directory, "read-token");
  const tokensFile = join(directory, "tokens.json");
  await mkdir(directory, { recursive: true, mode: 0o700 });
  try {
    const store = await TokenStore.fromFile(tokensFile);
    const [token, readToken] = await Promise.all([readFile(tokenFile, "utf8"), readFile(readTokenFile, "utf8")]);
    if (store.authenticate(token.trim()) && store.authenticate(readToken.trim())) return { tokensFile, tokenFile, readTokenFile, created: false };
  } catch {
    // Missing or unusable: generate a fresh set below.
  }
  const token = `rg_${randomBytes(32).toString("base64url")}`;
  const readToken = `rg_${randomBytes(32).toString("base64url")}`;
  const entries: TokenEntry[] = [
    { name: "local-admin", sha256: hashToken(token), scopes: ["*"] },
    { name: "local-read", sha256: hashToken(readToken), scopes: [...LOCAL_READ_SCOPES] },
  ];
  for (const [file, value] of [[tokenFile, token], [readTokenFile, readToken]] as const) {
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  await writeFile(tokensFile, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  return { tokensFile, tokenFile, readTokenFile, created: true };
}
