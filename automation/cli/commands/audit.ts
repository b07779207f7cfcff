/** `rollgate audit [list]`: the audit trail, newest first. */
import { z } from "zod";
import { AuditPageSchema } from "../../schemas/audit";
import { environmentNameSchema } from "../../release/schemas";
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from "../../services/audit/query";
import { pageLimit } from "../../schemas/common";
import { auditIdSchema, type AuditRecord } from "../../services/audit/record";
import { json, table } from "../output";
import { defineCommand, exitCodes, type CommandGroup } from "../types";

const list = defineCommand({
  summary: "list audit records, newest first (who, what, when, why, result, duration)",
  flags: z.object({
    env: environmentNameSchema.optional().describe("only this environment (`preview` for preview environments)"),
    since: z.string().datetime({ offset: true }).optional().describe("only records at or after this ISO-8601 instant"),
    limit: pageLimit(MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT).optional(),
    cursor: auditIdSchema.optional().describe("continue after this cursor (printed after a page)"),
  }),
  async run(flags, context) {
    const query = new URLSearchParams();
    if (flags.env !== undefined) query.set("environment", flags.env);
    if (flags.since !== undefined) query.set("since", flags.since);
    if (flags.limit !== undefined) query.set("limit", String(flags.limit));
    if (flags.cursor !== undefined) query.set("cursor", flags.cursor);
    const suffix = query.size > 0 ? `?${query.toString()}` : "";
    const page = await context.client.request("GET", `/api/v1/audit${suffix}`, AuditPageSchema);
    if (context.json) {
      context.io.stdout(`${json(page)}\n`);
      return exitCodes.ok;
    }
    const text = page.records.length === 0 ? "no audit records" : table(["WHEN", "ACTION", "ENV", "SUBJECT", "WHO", "WHY", "RESULT", "DURATION"], page.records.map(row));
    context.io.stdout(`${text}\n`);
    if (page.nextCursor) context.io.stderr(`more: rollgate audit --cursor ${page.nextCursor}${flags.env ? ` --env ${flags.env}` : ""}\n`);
    return exitCodes.ok;
  },
});

export const auditCommands: CommandGroup = {
  name: "audit",
  summary: "the audit trail of previews, environment updates and releases",
  commands: { list },
  defaultCommand: "list",
};

function row(record: AuditRecord): string[] {
  const { subject } = record;
  const what = [
    subject.pr === null ? undefined : `PR ${subject.pr}`,
    subject.image ?? undefined,
    subject.weight === null ? undefined : `${subject.weight}%`,
    subject.releaseId === null ? undefined : `release ${subject.releaseId}`,
  ].filter((part): part is string => part !== undefined);
  const why = [record.cause.kind, record.cause.detail, record.measurement ? `${record.measurement.metric} ${record.measurement.phase}` : null]
    .filter((part): part is string => part !== null)
    .join(": ");
  return [
    record.at,
    record.action,
    subject.environment,
    what.join(", ") || "-",
    record.actor,
    why,
    record.result + (record.result === "failed" && record.detail ? `: ${record.detail}` : ""),
    record.durationMs === null ? "-" : `${(record.durationMs / 1000).toFixed(1)}s`,
  ];
}
