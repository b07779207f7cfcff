/**
 * Reports of the pipeline's steps: the job summary (markdown), GitHub
 * annotations and a one-line verdict, from what a step's command printed.
 *
 *   tsx scripts/pipeline/report.ts policy  <env> <exit code> <pulumi preview output file>
 *   tsx scripts/pipeline/report.ts preview <exit code> <CLI stdout (--json) file> [<CLI stderr file>]
 *   tsx scripts/pipeline/report.ts release <env> <exit code> <CLI stdout (--json) file> [<CLI stderr file>]
 *
 * Appends the summary to $GITHUB_STEP_SUMMARY and step outputs (the preview's
 * `url`) to $GITHUB_OUTPUT when set, prints annotations when $GITHUB_ACTIONS
 * is "true", prints the verdict on stderr, and exits 1 when the step failed,
 * 0 when it passed, 2 on a usage error.
 *
 * The parsing is pure (exported for tests); only `main` does I/O.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { exitCodes } from "../../automation/cli/types";

export interface StepReport {
  readonly ok: boolean;
  /** One line: what happened, for the log. */
  readonly verdict: string;
  /** Markdown for the job summary. */
  readonly summary: string;
  /** `::error ...` / `::warning ...` workflow commands. */
  readonly annotations: readonly string[];
  /** Step outputs (`$GITHUB_OUTPUT`), e.g. the preview's `url`. */
  readonly outputs?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------
// Policy gate: `pulumi preview --policy-pack ...` output.

export type EnforcementLevel = "mandatory" | "advisory" | "remediate";

export interface PolicyViolation {
  readonly level: EnforcementLevel;
  readonly policy: string;
  /** `type: name` of the resource, absent for stack-level violations. */
  readonly resource?: string;
  readonly description?: string;
  readonly message: string;
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ansi, "");
}

const violationHeader = /^(\s*)- \[(mandatory|advisory|remediate)\]\s+(\S+)(?:\s+\((.*)\))?\s*$/;

/** The violations the CLI lists under `Policies:`, in order. */
export function parsePolicyViolations(output: string): PolicyViolation[] {
  const lines = stripAnsi(output).split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === "Policies:");
  if (start === -1) return [];
  const violations: PolicyViolation[] = [];
  let index = start + 1;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    if (line.trim() !== "" && !/^\s/.test(line)) break; // the next section
    const header = violationHeader.exec(line);
    index += 1;
    if (!header) continue;
    const indent = (header[1] ?? "").length;
    const body: string[] = [];
    while (index < lines.length) {
      const next = lines[index] ?? "";
      const nextIndent = next.length - next.trimStart().length;
      if (next.trim() === "" || nextIndent <= indent) break;
      body.push(next.trim());
      index += 1;
    }
    const [description, ...message] = body;
    violations.push({
      level: header[2] as EnforcementLevel,
      policy: header[3] ?? "",
      ...(header[4] ? { resource: header[4] } : {}),
      ...(description !== undefined && message.length > 0 ? { description } : {}),
      message: (message.length > 0 ? message : body).join(" "),
    });
  }
  return violations;
}

/** `error:` diagnostics (e.g. bad stack config) without stack frames, for failures that are not violations. */
export function programErrors(output: string): string[] {
  const lines = stripAnsi(output).split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === "Diagnostics:");
  if (start === -1) return [];
  const errors: string[] = [];
  let current: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== "" && !/^\s/.test(line)) break;
    const trimmed = line.trim();
    if (/^error:/.test(trimmed)) {
      current = [trimmed];
      errors.push("");
    } else if (current && trimmed !== "" && !/^at\s/.test(trimmed) && !/^[{}[\]]/.test(trimmed) && !/^(key|message|issues):/.test(trimmed)) {
      current.push(trimmed);
    } else if (trimmed === "") {
      current = undefined;
    }
    if (current) errors[errors.length - 1] = current.join("\n");
  }
  return errors.filter((error) => error !== "" && error !== "error: preview failed" && error !== "error: update failed");
}

export function policyReport(env: string, exitCode: number, output: string): StepReport {
  const violations = parsePolicyViolations(output);
  const mandatory = violations.filter((violation) => violation.level === "mandatory");
  const others = violations.filter((violation) => violation.level !== "mandatory");
  const ok = exitCode === 0;
  const policies = [...new Set(mandatory.map((violation) => violation.policy))];
  const errors = ok ? [] : programErrors(output);
  const verdict = ok
    ? `policy gate ${env}: passed${others.length > 0 ? ` (${others.length} advisory)` : ""}`
    : policies.length > 0
      ? `policy gate ${env}: failed: ${policies.join(", ")}`
      : `policy gate ${env}: failed before the policies ran: ${errors[0]?.split("\n").slice(0, 3).join(" ") ?? `pulumi exited ${exitCode}`}`;

  const summary = [`### Policy gate: ${env} ${ok ? "passed" : "failed"}`, ""];
  summary.push(`\`pulumi preview --policy-pack policies --policy-pack-config policies/config/${env}.json\` exited ${exitCode}.`, "");
  if (violations.length > 0) {
    summary.push("| level | policy | resource | violation |", "| --- | --- | --- | --- |");
    for (const violation of violations) {
      summary.push(
        `| ${violation.level} | \`${violation.policy}\` | ${cell(violation.resource ?? "(stack)")} | ${cell(violation.message)} |`,
      );
    }
    summary.push("");
  } else if (ok) {
    summary.push("No policy violations.", "");
  }
  if (!ok && policies.length === 0) {
    summary.push("The preview failed before the policies could judge it:", "", fence(errors.join("\n\n") || tail(output, 30)), "");
  }

  const annotations = [
    ...mandatory.map((violation) =>
      annotation("error", `policy ${violation.policy} (${env})`, `${violation.resource ? `${violation.resource}: ` : ""}${violation.message}`),
    ),
    ...others.map((violation) =>
      annotation("warning", `policy ${violation.policy} (${env}, ${violation.level})`, `${violation.resource ? `${violation.resource}: ` : ""}${violation.message}`),
    ),
    ...(!ok && policies.length === 0 ? [annotation("error", `policy gate (${env})`, verdict)] : []),
  ];
  return { ok, verdict, summary: summary.join("\n"), annotations };
}

// ---------------------------------------------------------------------------
// Preview environment: `rollgate preview up --wait --json`.

interface OperationJson {
  readonly id?: string;
  readonly kind?: string;
  readonly status?: string;
  readonly error?: string | null;
  readonly log?: readonly string[];
}

interface PreviewJson {
  readonly pr?: number;
  readonly status?: string;
  readonly url?: string | null;
  readonly image?: string | null;
  readonly expiresAt?: string | null;
}

/** The smoke-check outcome the service logged for the operation. */
export function smokeResult(operation: OperationJson | undefined): string {
  const log = operation?.log ?? [];
  const line = [...log].reverse().find((entry) => /smoke checks (passed|failed)/.test(entry));
  if (line) return line.replace(/^.*?(smoke checks)/, "$1");
  if (log.some((entry) => /running \d+ smoke check/.test(entry))) return "smoke checks did not finish";
  if (operation?.status === "succeeded") return "no smoke checks configured on the service (ROLLGATE_SMOKE_CHECKS)";
  return "smoke checks did not run";
}

/**
 * One line for a failed operation's error, which may hold a whole `pulumi up`
 * output: the mandatory policy violations, else the program's error, else its
 * first line.
 */
export function shortFailure(error: string): string {
  const violations = parsePolicyViolations(error).filter((violation) => violation.level === "mandatory");
  if (violations.length > 0) {
    return violations.map((violation) => `policy ${violation.policy}: ${violation.message}`).join("; ");
  }
  const program = programErrors(error)[0];
  const text = program ?? stripAnsi(error).trim();
  const first = text.split(/\r?\n/).slice(0, program ? 3 : 1).join(" ");
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
}

export function previewReport(exitCode: number, stdout: string, stderr = ""): StepReport {
  const parsed = parseJson(stdout) as { operation?: OperationJson; preview?: PreviewJson | null } | undefined;
  const operation = parsed?.operation;
  const preview = parsed?.preview ?? undefined;
  const ok = exitCode === 0 && operation?.status !== "failed" && preview?.status !== "failed";
  const smoke = smokeResult(operation);
  const pr = preview?.pr;
  const fullError = operation?.error ?? lastError(stderr) ?? `rollgate exited ${exitCode}`;
  const failure = shortFailure(fullError);
  const verdict = ok
    ? `preview PR ${pr ?? "?"}: ${preview?.status ?? "ready"} at ${preview?.url ?? "(no URL)"}; ${smoke}`
    : `preview PR ${pr ?? "?"}: failed: ${failure}`;

  const rows: [string, string][] = [
    ["status", preview?.status ?? (ok ? "ready" : "failed")],
    ["URL", preview?.url ? preview.url : "-"],
    ["smoke checks", smoke],
    ["image", preview?.image ? `\`${preview.image}\`` : "-"],
    ["expires", preview?.expiresAt ?? "-"],
    ["operation", operation ? `${operation.kind ?? "up"} ${operation.status ?? "?"} (${operation.id ?? "?"})` : "-"],
  ];
  if (!ok) rows.push(["error", failure]);
  const summary = [
    `### Preview environment${pr !== undefined ? ` for PR #${pr}` : ""}: ${ok ? "ready" : "failed"}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([label, value]) => `| ${label} | ${cell(value)} |`),
    "",
    ...(!ok && fullError !== failure ? ["<details><summary>error</summary>", "", fence(stripAnsi(fullError)), "</details>", ""] : []),
    ...(operation?.log?.length ? ["<details><summary>operation log</summary>", "", fence(operation.log.join("\n")), "</details>", ""] : []),
  ];
  return {
    ok,
    verdict,
    summary: summary.join("\n"),
    annotations: ok ? [annotation("notice", "preview environment", `${preview?.url ?? ""} (${smoke})`)] : [annotation("error", "preview environment", failure)],
    ...(preview?.url ? { outputs: { url: preview.url } } : {}),
  };
}

// ---------------------------------------------------------------------------
// Release: `rollgate release start --env <env> --wait --json`.

const failedStates = /roll(ed)?[-_ ]?back|abort|fail|cancel/i;

/** The release's final state, from the first `status`/`phase`/`state` found at the top level or under `release`. */
export function releaseState(json: unknown): string | undefined {
  const candidates = [json, isRecord(json) ? json.release : undefined];
  for (const candidate of candidates) {
    if (!isRecord(candidate)) continue;
    for (const key of ["status", "phase", "state"]) {
      const value = candidate[key];
      if (typeof value === "string") return value;
    }
  }
  return undefined;
}

interface AnalysisRecord {
  readonly step?: number;
  readonly metric?: string;
  readonly phase?: string;
  readonly detail?: string;
}

/** The analysis records of a release JSON (`analysis: [{ step, metric, phase, detail }]`), leniently. */
export function analysisRecords(json: unknown): AnalysisRecord[] {
  const release = isRecord(json) && isRecord(json.release) ? json.release : json;
  const analysis = isRecord(release) ? release.analysis : undefined;
  return Array.isArray(analysis) ? analysis.filter(isRecord).map((record) => record as AnalysisRecord) : [];
}

/** Why a release step failed, from the CLI's exit code (automation/cli/types.ts), the final state and stderr. */
function releaseFailure(exitCode: number, state: string | undefined, json: unknown, metrics: readonly string[], stderr: string): string {
  if (exitCode === exitCodes.usage) return `the rollgate CLI rejected the command (exit 2): ${lastError(stderr) ?? "usage error"}`;
  if (exitCode === exitCodes.timedOut) return `the release was still ${state ?? "running"} when --timeout passed; it keeps running`;
  if (exitCode === exitCodes.unreachable) return `the Rollgate service could not be reached: ${lastError(stderr) ?? `rollgate exited ${exitCode}`}`;
  if (state !== undefined && state !== "succeeded") {
    return `the release ended ${state}${describeReason(json)}${metrics.length > 0 ? ` (failing metrics: ${metrics.join(", ")})` : ""}`;
  }
  return lastError(stderr) ?? `rollgate exited ${exitCode}`;
}

export function releaseReport(env: string, exitCode: number, stdout: string, stderr = ""): StepReport {
  const json = parseJson(stdout);
  const state = releaseState(json);
  const rolledBack = state !== undefined && failedStates.test(state);
  const ok = exitCode === 0 && !rolledBack;
  const records = analysisRecords(json);
  const failing = records.filter((record) => typeof record.phase === "string" && /fail|error/i.test(record.phase));
  const metrics = [...new Set(failing.map((record) => record.metric ?? "?"))];
  const reason = releaseFailure(exitCode, state, json, metrics, stderr);
  const verdict = ok ? `release to ${env}: ${state ?? "succeeded"}` : `release to ${env}: failed: ${reason}`;
  const summary = [
    `### Release to ${env}: ${ok ? (state ?? "succeeded") : "failed"}`,
    "",
    ok ? `The release finished ${state ?? "successfully"}.` : cell(reason),
    "",
  ];
  if (records.length > 0) {
    summary.push("| step | metric | result | detail |", "| --- | --- | --- | --- |");
    for (const record of records) {
      const step = typeof record.step === "number" ? String(record.step + 1) : "?";
      summary.push(`| ${step} | \`${cell(record.metric ?? "?")}\` | ${cell(record.phase ?? "?")} | ${cell(record.detail ?? "")} |`);
    }
    summary.push("");
  }
  if (json !== undefined) {
    summary.push("<details><summary>release (JSON)</summary>", "", fence(JSON.stringify(json, null, 2).slice(0, 20_000), "json"), "</details>", "");
  }
  if (!ok && stderr.trim()) {
    summary.push("<details><summary>rollgate output</summary>", "", fence(tail(stderr, 60)), "</details>", "");
  }
  return {
    ok,
    verdict,
    summary: summary.join("\n"),
    annotations: ok ? [] : [annotation("error", `release to ${env}`, reason)],
  };
}

/** `: <reason>` from a release JSON's `reason`/`error`/`message`, when it has one. */
function describeReason(json: unknown): string {
  for (const candidate of [json, isRecord(json) ? json.release : undefined]) {
    if (!isRecord(candidate)) continue;
    for (const key of ["reason", "error", "message"]) {
      const value = candidate[key];
      if (typeof value === "string" && value.trim()) return `: ${value.trim()}`;
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// Helpers.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The last `error: ...` line of CLI output. */
function lastError(stderr: string): string | undefined {
  const line = stripAnsi(stderr)
    .split(/\r?\n/)
    .reverse()
    .find((entry) => /^error:/.test(entry.trim()));
  return line?.trim().replace(/^error:\s*/, "");
}

function tail(text: string, lines: number): string {
  return stripAnsi(text).trimEnd().split(/\r?\n/).slice(-lines).join("\n");
}

/** A markdown table cell: one line, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function fence(text: string, language = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marker = "`".repeat(longest + 1);
  return `${marker}${language}\n${text}\n${marker}`;
}

/** A GitHub workflow command, escaped as the runner expects. */
export function annotation(kind: "error" | "warning" | "notice", title: string, message: string): string {
  const data = (value: string) => value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (value: string) => data(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
  return `::${kind} title=${property(title)}::${data(message)}`;
}

// ---------------------------------------------------------------------------
// Command line.

function readOptional(path: string | undefined): string {
  return path !== undefined && existsSync(path) ? readFileSync(path, "utf8") : "";
}

function exitCodeOf(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

export function buildReport(argv: readonly string[]): StepReport | string {
  const [kind, ...args] = argv;
  if (kind === "policy") {
    const [env, code, output] = args;
    const exitCode = exitCodeOf(code);
    if (!env || exitCode === undefined || !output) return "usage: report.ts policy <env> <exit code> <output file>";
    return policyReport(env, exitCode, readOptional(output));
  }
  if (kind === "preview") {
    const [code, stdout, stderr] = args;
    const exitCode = exitCodeOf(code);
    if (exitCode === undefined || !stdout) return "usage: report.ts preview <exit code> <stdout file> [<stderr file>]";
    return previewReport(exitCode, readOptional(stdout), readOptional(stderr));
  }
  if (kind === "release") {
    const [env, code, stdout, stderr] = args;
    const exitCode = exitCodeOf(code);
    if (!env || exitCode === undefined || !stdout) return "usage: report.ts release <env> <exit code> <stdout file> [<stderr file>]";
    return releaseReport(env, exitCode, readOptional(stdout), readOptional(stderr));
  }
  return "usage: report.ts policy|preview|release ...";
}

function main(): number {
  const report = buildReport(process.argv.slice(2));
  if (typeof report === "string") {
    process.stderr.write(`${report}\n`);
    return 2;
  }
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) appendFileSync(summaryFile, `${report.summary}\n`);
  const outputFile = process.env.GITHUB_OUTPUT;
  if (outputFile) {
    for (const [name, value] of Object.entries(report.outputs ?? {})) {
      if (!/[\r\n]/.test(value)) appendFileSync(outputFile, `${name}=${value}\n`);
    }
  }
  if (process.env.GITHUB_ACTIONS === "true") {
    for (const line of report.annotations) process.stdout.write(`${line}\n`);
  }
  process.stderr.write(`${report.verdict}\n`);
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = main();
}
