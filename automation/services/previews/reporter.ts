/** Where preview results are announced (GitHub commit status and PR comment). */

/** `refused`: the request was turned down before any operation (a preview limit is reached). */
export type PreviewReportState = "pending" | "ready" | "failed" | "destroyed" | "refused";

export interface PreviewReport {
  /** `owner/name`; without it nothing is reported. */
  readonly repository?: string;
  readonly pr: number;
  readonly commitSha?: string;
  readonly state: PreviewReportState;
  readonly url?: string;
  readonly image?: string;
  /** Absent for `refused`. */
  readonly operationId?: string;
  readonly error?: string;
}

/** Implementations never throw: reporting must not fail an operation. */
export interface PreviewReporter {
  report(report: PreviewReport): Promise<void>;
}

export const silentReporter: PreviewReporter = { report: async () => undefined };
