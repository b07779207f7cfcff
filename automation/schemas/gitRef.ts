/**
 * Branch-name rules of `git check-ref-format --branch`, as a pure function
 * returning the first problem found (or `undefined` for a valid name).
 */
export const maxBranchLength = 255;

export function branchNameProblem(branch: string): string | undefined {
  if (branch.length === 0) return "must not be empty";
  if (branch.length > maxBranchLength) return `must be at most ${maxBranchLength} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch)) {
    return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\";
  }
  if (branch.startsWith("-")) return "must not start with '-'";
  if (branch === "@") return "must not be '@'";
  if (branch.includes("..")) return "must not contain '..'";
  if (branch.includes("@{")) return "must not contain '@{'";
  if (branch.startsWith("/") || branch.endsWith("/") || branch.includes("//")) {
    return "must not start or end with '/' or contain '//'";
  }
  if (branch.endsWith(".")) return "must not end with '.'";
  for (const component of branch.split("/")) {
    if (component.startsWith(".")) return "no path component may start with '.'";
    if (component.endsWith(".lock")) return "no path component may end with '.lock'";
  }
  return undefined;
}
