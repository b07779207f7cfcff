/** Stack names of preview environments: `preview-pr-<pr>`, as the component names them. */
import { previewStackName, previewStackPrefix } from "../../../components/previewEnvironment/naming";

export { previewStackName, previewStackPrefix };

/**
 * The PR number of a preview stack, or `undefined` for any other stack.
 * Accepts fully qualified names (`org/project/preview-pr-12`) as some
 * backends list them.
 */
export function prOfStack(stack: string): number | undefined {
  const shortName = stack.slice(stack.lastIndexOf("/") + 1);
  const match = /^preview-pr-([1-9][0-9]{0,8})$/.exec(shortName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
