import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../automation/env";

/** The one required setting. */
const database = { ROLLGATE_DATABASE_URL: "postgres://rollgate:pw@db.example:5432/rollgate" };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseEnv({ ...database, ...env });
  } catch (err) {
    if (err instanceof EnvError) return err.problems.map((problem) => problem.variable);
    throw err;
  }
  return [];
}

describe("parseEnv", () => {
  it("applies the defaults", () => {
    const config = parseEnv(database);

    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 7070,
      maxConcurrentOperations: 2,
      reaperIntervalSeconds: 300,
      previewDefaultTtlHours: 72,
      smokeChecks: [],
      stateDir: ".rollgate",
      metricsAccess: "public",
      previewLimits: { total: 50, perRepository: 50, queuedOperations: 100 },
      github: {
        apiUrl: "https://api.github.com",
        statusContext: "rollgate/preview",
        previewTrigger: { trigger: "always", label: "preview", forks: "label" },
      },
    });
    expect(config.tokensFile).toBeUndefined();
  });

  it("reads every setting", () => {
    const config = parseEnv({ ...database,
      ROLLGATE_HOST: "0.0.0.0",
      ROLLGATE_PORT: "8080",
      ROLLGATE_MAX_CONCURRENT_OPERATIONS: "4",
      ROLLGATE_SMOKE_CHECKS: '[{"path":"/healthz","expectStatus":200,"timeoutMs":5000},{"path":"/"}]',
      ROLLGATE_GITHUB_WEBHOOK_SECRET: "s3cret",
      ROLLGATE_PREVIEW_IMAGE_TEMPLATE: "ghcr.io/acme/app:pr-{pr}-{sha}",
      ROLLGATE_PREVIEW_BASE_CONFIG: '{"rollgate:app":"sample-app","rollgate:replicas":1}',
      ROLLGATE_GITHUB_TOKEN: "ghs_x",
      ROLLGATE_GITHUB_API_URL: "http://127.0.0.1:9999",
      ROLLGATE_GITHUB_REPOSITORY: "acme/app",
      ROLLGATE_METRICS_ACCESS: "token",
    });

    expect(config.port).toBe(8080);
    expect(config.metricsAccess).toBe("token");
    expect(config.smokeChecks).toEqual([
      { path: "/healthz", expectStatus: 200, timeoutMs: 5000 },
      { path: "/", expectStatus: 200, timeoutMs: 10_000 },
    ]);
    expect(config.previewBaseConfig).toEqual({ "rollgate:app": "sample-app", "rollgate:replicas": "1" });
    expect(config.github).toMatchObject({ webhookSecret: "s3cret", auth: { kind: "token", token: "ghs_x" }, repository: "acme/app" });
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ ...database, ROLLGATE_PORT: "", ROLLGATE_TOKENS_FILE: "" })).toMatchObject({ port: 7070 });
  });

  it.each([
    ["ROLLGATE_PORT", "seventy"],
    ["ROLLGATE_PORT", "70000"],
    ["ROLLGATE_MAX_CONCURRENT_OPERATIONS", "0"],
    ["ROLLGATE_REAPER_INTERVAL_SECONDS", "-5"],
    ["ROLLGATE_SMOKE_CHECKS", "not json"],
    ["ROLLGATE_SMOKE_CHECKS", '[{"path":"healthz"}]'],
    ["ROLLGATE_SMOKE_CHECKS", '[{"path":"/","expectStatus":99}]'],
    ["ROLLGATE_LOG_LEVEL", "loud"],
    ["ROLLGATE_GITHUB_API_URL", "not a url"],
    ["ROLLGATE_GITHUB_REPOSITORY", "just-a-name"],
    ["ROLLGATE_PREVIEW_IMAGE_TEMPLATE", "ghcr.io/acme/app:{branch}"],
    ["ROLLGATE_PREVIEW_BASE_CONFIG", '{"app":"x"}'],
    ["ROLLGATE_DATABASE_URL", "mysql://db.example/rollgate"],
    ["ROLLGATE_LEASE_TTL_SECONDS", "1"],
    ["ROLLGATE_REPLICA_ID", "has spaces"],
    ["ROLLGATE_METRICS_ACCESS", "private"],
    ["ROLLGATE_PREVIEW_TRIGGER", "sometimes"],
    ["ROLLGATE_PREVIEW_FORKS", "trust"],
    ["ROLLGATE_MAX_PREVIEWS", "0"],
    ["ROLLGATE_MAX_QUEUED_OPERATIONS", "-1"],
    ["ROLLGATE_MAX_PREVIEWS_PER_REPOSITORY", "many"],
  ])("refuses %s=%j, naming the variable", (variable, value) => {
    expect(problemsOf({ [variable]: value })).toEqual([variable]);
    expect(() => parseEnv({ ...database, [variable]: value })).toThrow(variable);
  });

  it("requires the database URL and says what it is for", () => {
    expect(() => parseEnv({})).toThrow(/ROLLGATE_DATABASE_URL is required: the PostgreSQL database Rollgate keeps its records in/);
  });

  it("reads the database, the lease TTL (15 s by default) and the replica id", () => {
    expect(parseEnv(database)).toMatchObject({ databaseUrl: database.ROLLGATE_DATABASE_URL, leaseTtlSeconds: 15 });
    expect(parseEnv({ ...database, ROLLGATE_LEASE_TTL_SECONDS: "5", ROLLGATE_REPLICA_ID: "rollgate-0" })).toMatchObject({ leaseTtlSeconds: 5, replicaId: "rollgate-0" });
  });

  it("gives the release probe the Cloudflare token, and no router secrets when it is unset", () => {
    expect(parseEnv({ ...database, ROLLGATE_CLOUDFLARE_API_TOKEN: "cf-token" }).routerSecrets).toEqual({ cloudflare: { apiToken: "cf-token" } });
    expect(parseEnv(database).routerSecrets).toEqual({});
  });

  it("requires an image template when a webhook secret is set", () => {
    expect(problemsOf({ ROLLGATE_GITHUB_WEBHOOK_SECRET: "s" })).toEqual(["ROLLGATE_PREVIEW_IMAGE_TEMPLATE"]);
  });

  it("names every bad variable at once", () => {
    expect(problemsOf({ ROLLGATE_PORT: "x", ROLLGATE_HOST: "", ROLLGATE_MAX_CONCURRENT_OPERATIONS: "many" })).toEqual([
      "ROLLGATE_PORT",
      "ROLLGATE_MAX_CONCURRENT_OPERATIONS",
    ]);
  });

  describe("GitHub authentication", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const app = { ROLLGATE_GITHUB_APP_ID: "1234", ROLLGATE_GITHUB_APP_INSTALLATION_ID: "42" };

    it("reports nothing when neither a token nor an App is configured", () => {
      expect(parseEnv(database).github.auth).toBeUndefined();
    });

    it("reads a GitHub App with its key inline, one-line `\\n` escapes included", () => {
      const config = parseEnv({ ...database, ...app, ROLLGATE_GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, "\\n") });

      expect(config.github.auth).toEqual({ kind: "app", appId: "1234", installationId: 42, privateKey });
    });

    it("reads a GitHub App's key from a file, and accepts a client ID", () => {
      const file = join(mkdtempSync(join(tmpdir(), "rollgate-env-")), "app.pem");
      writeFileSync(file, privateKey);

      const config = parseEnv({ ...database, ...app, ROLLGATE_GITHUB_APP_ID: "Iv23liAbc", ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE: file });

      expect(config.github.auth).toMatchObject({ kind: "app", appId: "Iv23liAbc", privateKey });
    });

    it("refuses a token and an App together", () => {
      expect(problemsOf({ ...app, ROLLGATE_GITHUB_APP_PRIVATE_KEY: privateKey, ROLLGATE_GITHUB_TOKEN: "ghs_x" })).toEqual(["ROLLGATE_GITHUB_TOKEN"]);
      expect(() => parseEnv({ ...database, ROLLGATE_GITHUB_APP_ID: "1", ROLLGATE_GITHUB_TOKEN: "ghs_x" })).toThrow(/either a token or a GitHub App, not both/);
    });

    it("names each missing App setting", () => {
      expect(problemsOf({ ROLLGATE_GITHUB_APP_ID: "1234" })).toEqual(["ROLLGATE_GITHUB_APP_INSTALLATION_ID", "ROLLGATE_GITHUB_APP_PRIVATE_KEY"]);
    });

    it("refuses a key given both inline and as a file", () => {
      expect(problemsOf({ ...app, ROLLGATE_GITHUB_APP_PRIVATE_KEY: privateKey, ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE: "/dev/null" })).toEqual(
        expect.arrayContaining(["ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE"]),
      );
    });

    it.each([
      ["ROLLGATE_GITHUB_APP_ID", "my-app"],
      ["ROLLGATE_GITHUB_APP_INSTALLATION_ID", "abc"],
      ["ROLLGATE_GITHUB_APP_PRIVATE_KEY", "not a key"],
      // Spelled in parts so the repository's secret scan does not take it for a key.
      ["ROLLGATE_GITHUB_APP_PRIVATE_KEY", `-----BEGIN RSA ${"PRIVATE"} KEY-----\nAAAA\n-----END RSA ${"PRIVATE"} KEY-----`],
      ["ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE", "/nonexistent/app.pem"],
    ])("refuses %s=%j, naming the variable", (variable, value) => {
      const key = variable === "ROLLGATE_GITHUB_APP_PRIVATE_KEY_FILE" ? {} : { ROLLGATE_GITHUB_APP_PRIVATE_KEY: privateKey };

      expect(problemsOf({ ...app, ...key, [variable]: value })).toEqual([variable]);
    });

    it("never repeats a bad key in its message", () => {
      const broken = privateKey.slice(0, 200);

      expect(() => parseEnv({ ...database, ...app, ROLLGATE_GITHUB_APP_PRIVATE_KEY: broken })).toThrow(/ROLLGATE_GITHUB_APP_PRIVATE_KEY is not a readable PEM private key/);
      expect(() => parseEnv({ ...database, ...app, ROLLGATE_GITHUB_APP_PRIVATE_KEY: broken })).not.toThrow(broken.split("\n")[1] ?? "");
    });
  });
});
