/**
 * Child process for the release store's crash test: saves ever larger
 * versions of one release as fast as it can, printing each completed save,
 * until the parent kills it with SIGKILL.
 */
import pino from "pino";
import { parseStartReleaseRequest, type AnalysisRecord } from "../../../automation/release/schemas";
import { createRelease } from "../../../automation/release/stateMachine";
import { Database } from "../../../automation/store/database";
import { PgReleaseStore } from "../../../automation/store/releaseStore";

const url = process.argv[2];
if (!url) throw new Error("usage: releaseWriter <database url>");

const store = new PgReleaseStore(new Database({ url, logger: pino({ level: "silent" }) }));
const base = createRelease(parseStartReleaseRequest({ environment: "staging", image: "registry.example/web:2.0.0" }), {
  id: "crash-test",
  actor: "writer",
  previousImage: "registry.example/web:1.0.0",
  at: new Date("2026-03-01T09:00:00Z"),
});

function records(n: number): AnalysisRecord[] {
  return Array.from({ length: 4000 + (n % 7) * 100 }, (_, i) => ({
    step: i % 4,
    metric: "error-rate",
    value: i / 1e4,
    threshold: 0.01,
    phase: "successful" as const,
    at: "2026-03-01T09:05:00.000Z",
    detail: `measurement ${i} of save ${n}: canary 5xx ratio within bounds`,
  }));
}

async function main(): Promise<void> {
  if (!(await store.get("crash-test"))) await store.create(base);
  for (let n = 1; ; n++) {
    await store.save({ ...base, extensions: n, analysis: records(n) });
    process.stdout.write(`saved ${n}\n`);
  }
}

void main();
