/** `rollgate preview up|down|list|get`. */
import { z } from "zod";
import { BranchName, CommitSha, maxTtlHours, PrNumberString } from "../../schemas/common";
import { ImageReference } from "../../schemas/imageReference";
import { duration } from "../args";
import type { Preview } from "../client";
import { json, table } from "../output";
import { defineCommand, exitCodes, type CliContext, type CommandGroup } from "../types";
import { waitForOperation } from "../wait";

const pr = PrNumberString.describe("pull request number");
const wait = z.boolean().optional().describe("wait for the operation to finish, printing progress");
const ttl = duration({ unit: "hours", min: 1, max: maxTtlHours }).describe(
  `how long until the preview may be destroyed: hours (72) or e.g. 36h, 3d (1h to ${maxTtlHours / 24}d)`,
);

const up = defineCommand({
  summary: "create or update the preview environment of a pull request",
  flags: z.object({
    pr,
    image: ImageReference.describe("OCI image reference to deploy"),
    branch: BranchName.optional().describe("git branch"),
    sha: CommitSha.optional().describe("full 40-hex commit SHA"),
    ttl: ttl.optional(),
    wait,
  }),
  async run(flags, context) {
    const accepted = await context.client.createPreview({
      pr: flags.pr,
      image: flags.image,
      ...(flags.branch === undefined ? {} : { branch: flags.branch }),
      ...(flags.sha === undefined ? {} : { commitSha: flags.sha }),
      ...(flags.ttl === undefined ? {} : { ttlHours: flags.ttl }),
    });
    if (!flags.wait) {
      print(context, accepted, `preview PR ${accepted.pr}: ${accepted.status} (operation ${accepted.operation.id})`);
      return exitCodes.ok;
    }
    return finish(context, flags.pr, accepted.operation.id, "up");
  },
});

const down = defineCommand({
  summary: "destroy the preview environment of a pull request",
  flags: z.object({ pr, wait }),
  async run(flags, context) {
    const accepted = await context.client.destroyPreview(flags.pr);
    if (!flags.wait) {
      print(context, accepted, `preview PR ${accepted.pr}: destroying (operation ${accepted.operation.id})`);
      return exitCodes.ok;
    }
    return finish(context, flags.pr, accepted.operation.id, "destroy");
  },
});

const list = defineCommand({
  summary: "list preview environments",
  flags: z.object({}),
  async run(_flags, context) {
    const previews = await context.client.listPreviews();
    const rows = previews.map((preview) => [
      String(preview.pr),
      preview.status,
      preview.url ?? "-",
      preview.image ?? "-",
      preview.expiresAt ?? "-",
    ]);
    const text = previews.length === 0 ? "no preview environments" : table(["PR", "STATUS", "URL", "IMAGE", "EXPIRES"], rows);
    print(context, previews, text);
    return exitCodes.ok;
  },
});

const get = defineCommand({
  summary: "show the preview environment of a pull request",
  flags: z.object({ pr }),
  async run(flags, context) {
    const preview = await context.client.getPreview(flags.pr);
    print(context, preview, describePreview(preview));
    return exitCodes.ok;
  },
});

export const previewCommands: CommandGroup = {
  name: "preview",
  summary: "preview environments of pull requests",
  commands: { up, down, list, get },
};

function print(context: CliContext, data: unknown, text: string): void {
  context.io.stdout(`${context.json ? json(data) : text}\n`);
}

/** Waits for the operation, then reports the preview; non-zero exit when the operation failed. */
async function finish(context: CliContext, prNumber: number, operationId: string, kind: "up" | "destroy"): Promise<number> {
  const operation = await waitForOperation(context.client, operationId, {
    intervalMs: context.pollIntervalMs,
    progress: (line) => context.io.stderr(`${line}\n`),
  });
  const preview = kind === "up" || operation.status === "failed" ? await context.client.getPreview(prNumber).catch(() => undefined) : undefined;
  if (operation.status === "failed") {
    print(context, { operation, preview: preview ?? null }, `preview PR ${prNumber} failed: ${operation.error ?? "unknown error"}`);
    return exitCodes.failed;
  }
  const text =
    kind === "destroy"
      ? `preview PR ${prNumber} destroyed`
      : `preview PR ${prNumber} ${preview?.status ?? "ready"}${preview?.url ? `: ${preview.url}` : ""}`;
  print(context, { operation, preview: preview ?? null }, text);
  return exitCodes.ok;
}

function describePreview(preview: Preview): string {
  const rows: [string, string | null][] = [
    ["pr", String(preview.pr)],
    ["stack", preview.stack],
    ["status", preview.status],
    ["url", preview.url],
    ["image", preview.image],
    ["branch", preview.branch],
    ["commit", preview.commitSha],
    ["created", preview.createdAt],
    ["expires", preview.expiresAt],
    [
      "last operation",
      preview.lastOperation
        ? `${preview.lastOperation.kind} ${preview.lastOperation.status} (${preview.lastOperation.id})`
        : null,
    ],
    ["error", preview.lastOperation?.error ?? null],
  ];
  return rows
    .filter(([, value]) => value !== null)
    .map(([label, value]) => `${`${label}:`.padEnd(16)}${value}`)
    .join("\n");
}
