/** Issues #8's and #17's goals, checked against the measured figures. Pure; no I/O. A missed goal is reported, never an error. */
import { DEFAULT_LEASE_TTL_SECONDS as LEASE_TTL_SECONDS } from "../../automation/env";
import { ratio, round, type Figure } from "./stats";

export type Figures = Readonly<Record<string, Figure>>;

export type GoalOp = "<=" | ">=" | ">";

export interface GoalResult {
  readonly id: string;
  readonly description: string;
  /** `actual <op> limit` is the goal. */
  readonly op: GoalOp;
  readonly actual: number | null;
  readonly limit: number | null;
  readonly unit: string;
  /** null when a figure it needs was not measured (scenario skipped or failed). */
  readonly met: boolean | null;
}

interface Goal {
  readonly id: string;
  readonly description: string;
  readonly op: GoalOp;
  readonly unit: string;
  actual(figures: Figures): number | undefined;
  limit(figures: Figures): number | undefined;
}

const stat = (name: string, key: "median" | "max" | "p99") => (figures: Figures) => figures[name]?.[key];
const fixed = (value: number) => () => value;

export const GOALS: readonly Goal[] = [
  {
    id: "weight-step-median",
    description: "weight step (API call → the router's live object) median ≤ 1.5 s",
    op: "<=",
    unit: "s",
    actual: stat("weightStep.rollgate", "median"),
    limit: fixed(1.5),
  },
  {
    id: "weight-step-vs-cli",
    description: "weight step ≥ 2× faster than `pulumi config set && pulumi up --skip-preview` in the same run (median ratio)",
    op: ">=",
    unit: "×",
    actual: (figures) => ratio(figures["weightStep.cli"]?.median, figures["weightStep.rollgate"]?.median),
    limit: fixed(2),
  },
  {
    id: "rollback-median",
    description: "traffic brake: failed measurement → HTTPRoute canary 0 median ≤ 0.5 s",
    op: "<=",
    unit: "s",
    actual: stat("rollback.rollgate", "median"),
    limit: fixed(0.5),
  },
  {
    id: "abort-to-zero",
    description: "traffic brake: abort request → canary 0 on the router's live object, median ≤ 0.5 s",
    op: "<=",
    unit: "s",
    actual: stat("abort.rollgate", "median"),
    limit: fixed(0.5),
  },
  {
    id: "preview-create-median",
    description: "preview create → ready median ≤ 12 s",
    op: "<=",
    unit: "s",
    actual: stat("preview.createToReady", "median"),
    limit: fixed(12),
  },
  {
    id: "preview-create-vs-cli",
    description: "preview create → ready ≤ 1.2× a plain CLI `stack init` + `up` of the same preview stack in the same run (median ratio)",
    op: "<=",
    unit: "×",
    actual: (figures) => ratio(figures["preview.createToReady"]?.median, figures["preview.cli.createToReady"]?.median),
    limit: fixed(1.2),
  },
  {
    id: "preview-destroy-median",
    description: "preview destroy → gone median ≤ 15 s",
    op: "<=",
    unit: "s",
    actual: stat("preview.destroyToGone", "median"),
    limit: fixed(15),
  },
  {
    id: "concurrent-failures",
    description: "concurrent previews: 0 failures",
    op: "<=",
    unit: "count",
    actual: stat("concurrency.failures", "max"),
    limit: fixed(0),
  },
  {
    id: "concurrent-wall",
    description: "concurrent previews: total wall ≤ 3× a single create (median)",
    op: "<=",
    unit: "s",
    actual: stat("concurrency.createAllWall", "median"),
    limit: (figures) => {
      const single = figures["preview.createToReady"]?.median;
      return single === undefined ? undefined : round(3 * single, 3);
    },
  },
  {
    id: "idle-rss",
    description: "idle RSS of the service ≤ 150 MB",
    op: "<=",
    unit: "MB",
    actual: stat("footprint.idleRss", "median"),
    limit: fixed(150),
  },
  {
    id: "postgres-backend-weight-step",
    description: "weight step (CLI) on the postgres:// backend no more than 10 % slower than on file:// (median ratio)",
    op: "<=",
    unit: "×",
    actual: (figures) => ratio(figures["backends.postgres.weightStep"]?.median, figures["backends.file.weightStep"]?.median),
    limit: fixed(1.1),
  },
  {
    id: "postgres-backend-stack-create",
    description: "stack create + first up (CLI) on the postgres:// backend no more than 10 % slower than on file:// (median ratio)",
    op: "<=",
    unit: "×",
    actual: (figures) => ratio(figures["backends.postgres.stackCreate"]?.median, figures["backends.file.stackCreate"]?.median),
    limit: fixed(1.1),
  },
  {
    id: "takeover-after-kill",
    description: `release taken over by another replica after a SIGKILL ≤ lease TTL (${LEASE_TTL_SECONDS} s) + 2 s`,
    op: "<=",
    unit: "s",
    actual: stat("replicas.takeoverAfterKill", "max"),
    limit: fixed(LEASE_TTL_SECONDS + 2),
  },
  {
    id: "abort-on-other-replica",
    description: "abort sent to a replica that does not drive the release → weight 0 on the route, median ≤ 5 s",
    op: "<=",
    unit: "s",
    actual: stat("replicas.abortOnOtherReplica", "median"),
    limit: fixed(5),
  },
  {
    id: "argo-abort-ratio",
    description: "abort → weight 0: Rollgate faster than Argo Rollouts (median ratio Argo abort → canary-weight 0 over Rollgate abort → canary 0 > 1)",
    op: ">",
    unit: "×",
    actual: (figures) => ratio(figures["argo.abort"]?.median, figures["abort.rollgate"]?.median),
    limit: fixed(1),
  },
  {
    id: "api-p99-under-load",
    description: "GET /api/v1/previews p99 ≤ 50 ms while operations run (first reads of new stacks included)",
    op: "<=",
    unit: "ms",
    actual: stat("api.listPreviews.underLoad", "p99"),
    limit: fixed(50),
  },
  {
    id: "api-max-under-load",
    description: "GET /api/v1/previews max ≤ 250 ms while operations run",
    op: "<=",
    unit: "ms",
    actual: stat("api.listPreviews.underLoad", "max"),
    limit: fixed(250),
  },
  {
    id: "supply-chain-verify-cold",
    description: "supply-chain verification of a signed image, new gate and client (loopback registry) median ≤ 3 s",
    op: "<=",
    unit: "ms",
    actual: stat("supplyChain.verifyCold", "median"),
    limit: fixed(3000),
  },
  {
    id: "supply-chain-verify-warm",
    description: "supply-chain verification of the same image again through the same gate median ≤ 1 s",
    op: "<=",
    unit: "ms",
    actual: stat("supplyChain.verifyWarm", "median"),
    limit: fixed(1000),
  },
];

function meets(op: GoalOp, actual: number, limit: number): boolean {
  switch (op) {
    case "<=":
      return actual <= limit;
    case ">=":
      return actual >= limit;
    case ">":
      return actual > limit;
  }
}

export function evaluateGoals(figures: Figures, goals: readonly Goal[] = GOALS): GoalResult[] {
  return goals.map((goal) => {
    const actual = goal.actual(figures);
    const limit = goal.limit(figures);
    const known = actual !== undefined && limit !== undefined && Number.isFinite(actual) && Number.isFinite(limit);
    return {
      id: goal.id,
      description: goal.description,
      op: goal.op,
      unit: goal.unit,
      actual: actual ?? null,
      limit: limit ?? null,
      met: known ? meets(goal.op, actual, limit) : null,
    };
  });
}
