/** Small adapters between @pulumi/policy callbacks and the pure checks in `checks/`. */
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

import { podSpecOf } from "./checks/kubernetes";
import type { Props } from "./checks/values";

/**
 * A resource validation that runs `validate` only for resources whose type is
 * one of `types` (or satisfies the predicate) and marks the policy not
 * applicable for the rest. Like `validateResourceOfType`, but for several
 * types and for custom resources, which have no class to name.
 */
export function validateResourceOfTypes(
  types: readonly string[] | ((type: string) => boolean),
  validate: (props: Props, args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
  const matches = typeof types === "function" ? types : (type: string) => types.includes(type);
  return (args, reportViolation) => {
    if (!matches(args.type)) {
      return args.notApplicable(`Policy does not apply to resources of type '${args.type}'`);
    }
    validate(args.props, args, reportViolation);
  };
}

/**
 * A resource validation over the pod spec of workloads of `types`, reporting
 * each message `check` returns.
 */
export function validatePodSpecs(
  types: readonly string[],
  check: (podSpec: Props, args: ResourceValidationArgs) => readonly string[],
): ResourceValidation {
  return validateResourceOfTypes(types, (props, args, reportViolation) => {
    const podSpec = podSpecOf(args.type, props) ?? {};
    reportEach(reportViolation, check(podSpec, args));
  });
}

export function reportEach(reportViolation: ReportViolation, messages: readonly string[], urn?: string): void {
  for (const message of messages) {
    reportViolation(message, urn);
  }
}
