/** AWS ALB: its target group weights live in the ELBv2 API, which the probe does not read yet. */
import type { RouterDefinition } from "../definition";

export const awsDefinition: RouterDefinition<"aws"> = {
  kind: "aws",
  capabilities: { headerRouting: true, mirroring: false },
  liveWeight: "unsupported",
  declaredWeights: "unsupported",
};
