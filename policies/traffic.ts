/** Policies for traffic splitting between stable and canary. */
import type { ResourceValidationPolicy } from "@pulumi/policy";

import { trafficWeightProblems, weightReaderFor } from "./checks/traffic";
import { reportEach } from "./validation";

export const trafficWeightsValid: ResourceValidationPolicy = {
  name: "traffic-weights-valid",
  description:
    "Checks that traffic weights (Gateway API routes, Istio VirtualServices, nginx canary-weight) are integers from 0 to 100 that sum to 100.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const reader = weightReaderFor(args.type);
    if (reader === undefined) {
      return args.notApplicable("Not a traffic-routing resource");
    }
    reportEach(reportViolation, trafficWeightProblems(reader, args.props));
  },
};
