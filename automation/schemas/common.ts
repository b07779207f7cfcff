/** Request and response building blocks shared by the HTTP routes and the CLI. */
import { z } from "zod";
import { branchNameProblem, maxBranchLength } from "./gitRef";

/** Largest PR number, as the preview program accepts (GitHub's stay far below). */
export const maxPrNumber = 999_999_999;
export const maxTtlHours = 720;

export const PrNumber = z
  .number()
  .int()
  .positive()
  .max(maxPrNumber)
  .describe("Pull request number");

/** A PR number in a path or flag: decimal digits only (no sign, exponent or fraction). */
export const PrNumberString = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, "must be a positive integer below one billion")
  .transform(Number)
  .pipe(PrNumber)
  .describe("Pull request number");

/** `limit` of a paged list in a query string or flag: a whole number 1..`max`. */
export function pageLimit(max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]{1,4}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .describe(`Items per page, 1-${max} (default ${fallback})`);
}

export const CommitSha = z
  .string()
  .regex(/^[0-9a-fA-F]{40}$/, "must be a full 40-character hexadecimal commit SHA")
  .transform((sha) => sha.toLowerCase())
  .describe("Full commit SHA (40 hex digits)");

export const BranchName = z
  .string()
  .max(maxBranchLength)
  .superRefine((branch, ctx) => {
    const problem = branchNameProblem(branch);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  })
  .describe("Git branch name");

export const TtlHours = z
  .number()
  .int()
  .min(1)
  .max(maxTtlHours)
  .describe("Hours until the preview may be destroyed");

export const Timestamp = z.string().datetime().describe("ISO-8601 instant (UTC)");

export const OperationId = z.string().uuid().describe("Operation id");

/** RFC 9457 problem details, as every error response carries them. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe("Problem details (application/problem+json)");

export type ProblemBody = z.infer<typeof Problem>;

/** A query string that takes no parameters. */
export const NoQuery = z.object({}).strict();
