import { describe, expect, it } from "vitest";
import { runCli } from "../../../automation/cli/main";
import { auditRecord } from "./support";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly urls: string[];
}

async function cli(argv: string[], answer: unknown, status = 200): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const urls: string[] = [];
  const fetchStub = (async (input: string | URL | Request) => {
    urls.push(String(input));
    return new Response(JSON.stringify(answer), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { ROLLGATE_STATE_DIR: "/nonexistent", ROLLGATE_TOKEN: "t", ROLLGATE_URL: "http://rollgate.test" },
    fetch: fetchStub,
  });
  return { code, stdout, stderr, urls };
}

const record = auditRecord("2030-01-01T00:00:00.000Z", "preview", {
  actor: "github:octocat",
  cause: { kind: "webhook" },
  durationMs: 12_300,
});

const dora = {
  environment: "production",
  window: "30d",
  from: "2030-01-01T00:00:00.000Z",
  to: "2030-01-31T00:00:00.000Z",
  thresholds: {
    source: "2023 Accelerate State of DevOps Report (DORA), performance-level table",
    deploymentFrequencyPerDay: { elite: 1, high: 1 / 7, medium: 1 / 30 },
    leadTimeSeconds: { elite: 86_400, high: 604_800, medium: 2_592_000 },
    changeFailureRate: { elite: 0.05, high: 0.1, medium: 0.15 },
    timeToRestoreSeconds: { elite: 3600, high: 86_400, medium: 604_800 },
  },
  deploymentFrequency: { value: 0.2, band: "high", samples: 6, perWeek: 1.4 },
  leadTimeForChanges: { value: 21_600, band: "elite", samples: 5, withoutCommitTime: 1 },
  changeFailureRate: { value: 0.3, band: "low", samples: 10, failed: 3, finished: 10 },
  timeToRestore: { value: null, band: null, samples: 0, unrestored: 0 },
};

describe("rollgate audit", () => {
  it("lists records as a table and says how to get the next page", async () => {
    const run = await cli(["audit", "--env", "preview", "--limit", "1"], { records: [record], nextCursor: record.id });

    expect(run.code).toBe(0);
    expect(run.urls).toEqual(["http://rollgate.test/api/v1/audit?environment=preview&limit=1"]);
    expect(run.stdout).toMatch(/^WHEN\s+ACTION\s+ENV\s+SUBJECT\s+WHO\s+WHY\s+RESULT\s+DURATION/);
    expect(run.stdout).toContain("preview.up");
    expect(run.stdout).toContain("github:octocat");
    expect(run.stdout).toContain("webhook");
    expect(run.stdout).toContain("12.3s");
    expect(run.stderr).toBe(`more: rollgate audit --cursor ${record.id} --env preview\n`);
  });

  it("is also `audit list`, and prints JSON with --json", async () => {
    const run = await cli(["audit", "list", "--json", "--since", "2030-01-01T00:00:00Z"], { records: [record], nextCursor: null });

    expect(run.urls[0]).toBe("http://rollgate.test/api/v1/audit?since=2030-01-01T00%3A00%3A00Z");
    expect(JSON.parse(run.stdout)).toEqual({ records: [record], nextCursor: null });
  });

  it("exits 2 naming a bad flag", async () => {
    const run = await cli(["audit", "--limit", "0"], {});

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--limit:");
  });

  it("exits 1 when the token lacks the scope", async () => {
    const run = await cli(["audit"], { type: "about:blank", title: "Forbidden", status: 403, detail: "this token lacks the `audit:read` scope" }, 403);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("audit:read");
  });
});

describe("rollgate dora", () => {
  it("prints the four figures with their bands and sample counts", async () => {
    const run = await cli(["dora", "--env", "production", "--window", "30d"], dora);

    expect(run.code).toBe(0);
    expect(run.urls).toEqual(["http://rollgate.test/api/v1/dora?environment=production&window=30d"]);
    expect(run.stdout).toContain("production, last 30d");
    expect(run.stdout).toMatch(/deployment frequency\s+0\.2\/day \(1\.4\/week\)\s+high\s+6/);
    expect(run.stdout).toMatch(/lead time for changes\s+6h\s+elite\s+5/);
    expect(run.stdout).toMatch(/change failure rate\s+30% \(3\/10\)\s+low\s+10/);
    expect(run.stdout).toMatch(/time to restore\s+-\s+no data\s+0/);
    expect(run.stdout).toContain("bands: 2023 Accelerate State of DevOps Report");
  });

  it("exits 2 for a window it cannot read", async () => {
    const run = await cli(["dora", "--window", "1y"], dora);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--window:");
  });
});
