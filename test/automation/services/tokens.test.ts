import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TokenStore, ensureLocalTokens, hasScope, hashToken } from "../../../automation/services/auth/tokens";

describe("TokenStore", () => {
  const store = new TokenStore([
    { name: "ci", sha256: hashToken("secret-ci"), scopes: ["previews:write"] },
    { name: "ops", sha256: hashToken("secret-ops").toUpperCase(), scopes: ["releases:*"] },
  ]);

  it("finds the principal of a known token", () => {
    expect(store.authenticate("secret-ci")).toEqual({ name: "ci", scopes: ["previews:write"] });
    expect(store.authenticate("secret-ops")?.name).toBe("ops");
  });

  it("rejects unknown tokens", () => {
    expect(store.authenticate("secret-c")).toBeUndefined();
    expect(store.authenticate("")).toBeUndefined();
  });
});

describe("hasScope", () => {
  it("matches exact scopes, area wildcards and the global wildcard", () => {
    expect(hasScope({ name: "a", scopes: ["previews:read"] }, "previews:read")).toBe(true);
    expect(hasScope({ name: "a", scopes: ["previews:read"] }, "previews:write")).toBe(false);
    expect(hasScope({ name: "a", scopes: ["releases:*"] }, "releases:production")).toBe(true);
    expect(hasScope({ name: "a", scopes: ["releases:*"] }, "previews:read")).toBe(false);
    expect(hasScope({ name: "a", scopes: ["*"] }, "audit:read")).toBe(true);
  });
});

describe("tokens files", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "rollgate-tokens-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("loads a valid file", async () => {
    const file = join(directory, "tokens.json");
    await writeFile(file, JSON.stringify([{ name: "ci", sha256: hashToken("t"), scopes: ["previews:read"] }]));

    const store = await TokenStore.fromFile(file);

    expect(store.authenticate("t")?.name).toBe("ci");
  });

  it.each([
    ["a bad digest", [{ name: "ci", sha256: "abc", scopes: ["previews:read"] }], /0\.sha256/],
    ["a bad scope", [{ name: "ci", sha256: "a".repeat(64), scopes: ["everything"] }], /0\.scopes\.0/],
    ["an unknown field", [{ name: "ci", sha256: "a".repeat(64), scopes: ["*"], token: "plain" }], /unrecognized/i],
    ["no scopes", [{ name: "ci", sha256: "a".repeat(64), scopes: [] }], /scopes/],
  ])("refuses a file with %s, naming the file and place", async (_label, content, place) => {
    const file = join(directory, "tokens.json");
    await writeFile(file, JSON.stringify(content));

    const error = await TokenStore.fromFile(file).catch((err: Error) => err);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(place);
  });

  it("refuses a file that is not JSON", async () => {
    const file = join(directory, "tokens.json");
    await writeFile(file, "name: ci");

    await expect(TokenStore.fromFile(file)).rejects.toThrow(/cannot read tokens file/);
  });
});

describe("ensureLocalTokens", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "rollgate-state-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("generates an admin token (mode 0600) and a tokens file holding only its digest", async () => {
    const local = await ensureLocalTokens(join(directory, ".rollgate"));

    const token = (await readFile(local.tokenFile, "utf8")).trim();
    const tokensFile = await readFile(local.tokensFile, "utf8");
    expect(local.created).toBe(true);
    expect(token).toMatch(/^rg_[A-Za-z0-9_-]{43}$/);
    expect((await stat(local.tokenFile)).mode & 0o777).toBe(0o600);
    expect(tokensFile).not.toContain(token);
    expect((await TokenStore.fromFile(local.tokensFile)).authenticate(token)).toEqual({ name: "local-admin", scopes: ["*"] });
  });

  it("generates a read-only token for the dashboard that can change nothing", async () => {
    const local = await ensureLocalTokens(directory);

    const readToken = (await readFile(local.readTokenFile, "utf8")).trim();
    const principal = (await TokenStore.fromFile(local.tokensFile)).authenticate(readToken);
    expect((await stat(local.readTokenFile)).mode & 0o777).toBe(0o600);
    expect(principal?.name).toBe("local-read");
    expect(principal?.scopes).toEqual(["releases:read", "previews:read", "audit:read", "metrics:read"]);
  });

  it("keeps an existing token across restarts", async () => {
    const first = await ensureLocalTokens(directory);
    const token = await readFile(first.tokenFile, "utf8");

    const second = await ensureLocalTokens(directory);

    expect(second.created).toBe(false);
    expect(await readFile(second.tokenFile, "utf8")).toBe(token);
  });
});
