import { Problem } from "../schemas/common";
import type { ResponseSpec } from "./route";

/** A documented problem+json response. */
export function problemResponse(description: string): ResponseSpec {
  return { description, schema: Problem, contentType: "application/problem+json" };
}

export const authProblems = {
  401: problemResponse("Missing or invalid bearer token"),
  403: problemResponse("The token lacks the required scope"),
} as const;
