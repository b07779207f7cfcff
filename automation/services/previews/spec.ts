/** The desired state of a preview, and how it is written to and read from a stack. */
import type { StackConfig } from "../../engine/port";
import { stackConfigKeys } from "../../../infra/configKeys";

export interface PreviewSpec {
  readonly image: string;
  readonly branch?: string;
  readonly commitSha?: string;
  readonly ttlHours: number;
}

/**
 * Per-PR stack configuration keys the program reads (`infra/config.ts`).
 * Absent optional values are written as empty strings, which the program
 * treats as unset, so a value from an earlier update does not linger.
 */
export const previewConfigKeys = {
  environment: stackConfigKeys.environment,
  pr: stackConfigKeys.pr,
  image: stackConfigKeys.image,
  branch: stackConfigKeys.branch,
  commitSha: stackConfigKeys.commitSha,
  ttlHours: stackConfigKeys.ttlHours,
  createdAt: stackConfigKeys.createdAt,
  deployedBy: stackConfigKeys.deployedBy,
} as const;

export interface PreviewPlan {
  readonly pr: number;
  readonly spec: PreviewSpec;
  /** Set when the preview is first created and kept on updates, so the expiry does not move. */
  readonly createdAt: string;
  readonly actor: string;
}

/** `createdAt + ttlHours`, as the program computes its `expiresAt` output. */
export function expiresAtOf(plan: Pick<PreviewPlan, "createdAt" | "spec">): string {
  return new Date(Date.parse(plan.createdAt) + plan.spec.ttlHours * 3_600_000).toISOString();
}

/**
 * The config of one `up`: `base` (keys every preview shares, such as
 * `rollgate:app` and `rollgate:previewDomain`) overlaid with the PR's values.
 */
export function previewStackConfig(plan: PreviewPlan, base: Readonly<Record<string, string>> = {}): StackConfig {
  const keys = previewConfigKeys;
  const shared = Object.fromEntries(Object.entries(base).map(([key, value]) => [key, { value }]));
  return {
    ...shared,
    [keys.environment]: { value: "preview" },
    [keys.pr]: { value: String(plan.pr) },
    [keys.image]: { value: plan.spec.image },
    [keys.branch]: { value: plan.spec.branch ?? "" },
    [keys.commitSha]: { value: plan.spec.commitSha ?? "" },
    [keys.ttlHours]: { value: String(plan.spec.ttlHours) },
    [keys.createdAt]: { value: plan.createdAt },
    [keys.deployedBy]: { value: plan.actor },
  };
}

/** Reads a plan back from stack configuration (recovery without a journal entry). */
export function planFromStackConfig(pr: number, config: Readonly<Record<string, string>>): PreviewPlan | undefined {
  const keys = previewConfigKeys;
  const image = config[keys.image];
  const ttlHours = Number(config[keys.ttlHours]);
  const createdAt = config[keys.createdAt];
  if (!image || !Number.isInteger(ttlHours) || ttlHours < 1 || !createdAt || Number.isNaN(Date.parse(createdAt))) {
    return undefined;
  }
  const branch = config[keys.branch];
  const commitSha = config[keys.commitSha];
  return {
    pr,
    spec: { image, ttlHours, ...(branch ? { branch } : {}), ...(commitSha ? { commitSha } : {}) },
    createdAt,
    actor: config[keys.deployedBy] || "unknown",
  };
}

/** A stable key for a desired state, to recognise identical repeat requests. */
export function desiredKey(spec: PreviewSpec | undefined): string {
  if (!spec) return "absent";
  return JSON.stringify([spec.image, spec.branch ?? null, spec.commitSha ?? null, spec.ttlHours]);
}

/** The stack outputs the preview program exports, read leniently (outputs are not typed). */
export interface PreviewOutputs {
  readonly pr?: number;
  readonly url?: string;
  readonly image?: string;
  readonly branch?: string;
  readonly commitSha?: string;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly namespace?: string;
  readonly app?: string;
  /** Name of the preview's Deployment, when the program exports it. */
  readonly deploymentName?: string;
}

/** The Deployment to wait for: the `deploymentName` output, else WebService's `<app>-preview`. */
export function deploymentNameOf(outputs: PreviewOutputs): string | undefined {
  return outputs.deploymentName ?? (outputs.app ? `${outputs.app}-preview` : undefined);
}

export function readPreviewOutputs(outputs: Readonly<Record<string, unknown>>): PreviewOutputs {
  const text = (key: string): string | undefined => {
    const value = outputs[key];
    return typeof value === "string" && value.length > 0 ? value : undefined;
  };
  const pr = Number(outputs.pr);
  const read = {
    pr: Number.isInteger(pr) && pr > 0 ? pr : undefined,
    url: text("url"),
    image: text("image"),
    branch: text("branch"),
    commitSha: text("commitSha"),
    createdAt: text("createdAt"),
    expiresAt: text("expiresAt"),
    namespace: text("namespace"),
    app: text("app"),
    deploymentName: text("deploymentName"),
  };
  return Object.fromEntries(Object.entries(read).filter(([, value]) => value !== undefined)) as PreviewOutputs;
}

export function hasOutputs(outputs: PreviewOutputs): boolean {
  return Object.keys(outputs).length > 0;
}
