/**
 * scripts/pipeline/secret-scan.sh on throwaway git repositories. Fake keys are
 * built at run time, so nothing key-shaped is committed (the scan of this
 * repository would find it).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const script = resolve(__dirname, "../../scripts/pipeline/secret-scan.sh");

/** One fake credential per rule, assembled here so the source holds none. */
const fakes: Record<string, string> = {
  "aws-access-key-id": `key: ${"AKIA"}${"Q7".repeat(8)}`,
  "aws-secret-access-key": `aws_secret_access_key = ${"wJalrXUtnFEMIK7MDENGbPxRfiCY".padEnd(40, "Z")}`,
  "private-key": [`-----BEGIN`, `RSA PRIVATE KEY-----`].join(" "),
  "github-token": `token: ${"ghp"}_${"a1B2".repeat(9)}`,
  "github-fine-grained-token": `token: ${"github"}_pat_${"11AAAAAAA0".repeat(3)}`,
  "gitlab-token": `token: ${"glpat"}-${"x9".repeat(10)}`,
  "slack-token": `slack: ${"xoxb"}-${"1234567890"}-${"abcdefghij"}`,
  "slack-webhook": `url: ${"https://hooks.slack.com/services/"}${"T0000"}/${"B0000"}/${"XXXXXXXX"}`,
  "google-api-key": `key: ${"AIza"}${"S".repeat(35)}`,
  "stripe-secret-key": `stripe: ${"sk"}_live_${"4eC39HqLyjWDarjtT1zdp7dc"}`,
  "npm-token": `//registry.npmjs.org/:_authToken=${"npm"}_${"n".repeat(36)}`,
  "pulumi-access-token": `PULUMI_ACCESS_TOKEN=${"pul"}-${"0123456789abcdef0123".repeat(2)}`,
};

interface ScanResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const repos: string[] = [];

/** A git repository with `files` (path → content); `tracked` (default all) are added to the index. */
function repo(files: Record<string, string | Buffer>, tracked: readonly string[] = Object.keys(files)): string {
  const dir = mkdtempSync(join(tmpdir(), "rg-secret-scan-"));
  repos.push(dir);
  git(dir, "init", "-q");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  if (tracked.length > 0) git(dir, "add", "--", ...tracked);
  return dir;
}

function git(dir: string, ...args: string[]): void {
  const result = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
}

function scan(dir: string, env: NodeJS.ProcessEnv = {}): ScanResult {
  const { GITHUB_ACTIONS: _actions, GITHUB_STEP_SUMMARY: _summary, ...inherited } = process.env;
  const result = spawnSync("bash", [script, dir], { encoding: "utf8", env: { ...inherited, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterEach(() => {
  for (const dir of repos.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("secret-scan.sh", () => {
  it("passes a repository without credentials", () => {
    const dir = repo({ "README.md": "# app\n", "src/config.ts": 'export const token = process.env.TOKEN ?? "";\n' });

    const result = scan(dir);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/no secrets found/);
  });

  it.each(Object.entries(fakes))("finds a planted %s and exits 1", (rule, line) => {
    const dir = repo({ "README.md": "# app\n", "deploy/settings.env": `# settings\n${line}\n` });

    const result = scan(dir);

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^deploy/settings\\.env:2: ${rule}: `, "m"));
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("never prints a found value in full", () => {
    const key = fakes["github-token"]?.replace("token: ", "") ?? "";
    const dir = repo({ "a.yml": `token: ${key}\n` });

    const result = scan(dir);

    expect(result.status).toBe(1);
    expect(result.stdout).toContain("ghp_****");
    expect(result.stdout + result.stderr).not.toContain(key);
  });

  it("reports every finding with its file and line", () => {
    const dir = repo({
      "one.txt": `first\n${fakes["aws-access-key-id"]}\n`,
      "nested/two.txt": `${fakes["private-key"]}\n`,
    });

    const result = scan(dir);

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^one\.txt:2: aws-access-key-id: AKIA\*{4} \(20 characters\)$/m);
    expect(result.stdout).toMatch(/^nested\/two\.txt:1: private-key: /m);
    expect(result.stderr).toMatch(/2 possible secret\(s\) found/);
  });

  it("scans only tracked files", () => {
    const dir = repo({ "README.md": "# app\n", "local.env": `${fakes["npm-token"]}\n` }, ["README.md"]);

    expect(scan(dir).status).toBe(0);
  });

  it("skips binary files", () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(fakes["aws-access-key-id"] ?? "")]);
    const dir = repo({ "image.bin": binary });

    expect(scan(dir).status).toBe(0);
  });

  it("skips lines marked `secret-scan: allow` and paths listed in .secret-scan-ignore", () => {
    const dir = repo({
      "docs/example.md": `${fakes["aws-access-key-id"]} <!-- secret-scan: allow -->\n`,
      "fixtures/keys/test.pem": `${fakes["private-key"]}\n`,
      ".secret-scan-ignore": "# test keys\nfixtures/keys/**\n",
    });

    expect(scan(dir).status).toBe(0);
  });

  it("scans the repository that contains the given directory", () => {
    const dir = repo({ "sub/dir/file.txt": "nothing\n", "root.txt": `${fakes["google-api-key"]}\n` });

    const result = scan(join(dir, "sub/dir"));

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^root\.txt:1: google-api-key: /m);
  });

  it("exits 2 outside a git work tree", () => {
    const dir = mkdtempSync(join(tmpdir(), "rg-not-git-"));
    repos.push(dir);

    const result = scan(dir);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/not inside a git work tree/);
  });

  it("writes annotations and a job-summary table in GitHub Actions", () => {
    const dir = repo({ "ci.env": `${fakes["slack-token"]}\n` });
    const summary = join(dir, "summary.md");

    const result = scan(dir, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^::error file=ci\.env,line=1,title=secret-scan::slack-token found/m);
    expect(readFileSync(summary, "utf8")).toMatch(/### Secret scan: failed[\s\S]*\| `ci\.env` \| 1 \| slack-token \|/);
  });
});
