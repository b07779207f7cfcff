import { prOfStack } from "../previews/naming";

/**
 * The scope needed to read operations on a stack: `previews:read` for preview
 * stacks, `releases:<stack>` for environment stacks (staging, production).
 */
export function readScopeForStack(stack: string): string {
  return prOfStack(stack) === undefined ? `releases:${stack}` : "previews:read";
}
