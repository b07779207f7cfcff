/** AWS ALB: its target group weights live in the ELBv2 API, where the probe reads them. */
import { z } from "zod";
import type { RouterDefinition } from "../definition";
import { awsLiveWeight } from "./liveWeight";

/** An ALB listener ARN; group 1 is the load balancer's `app/<name>/<id>`. */
export const listenerArnPattern = /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/;

const priorityMessage = "must be an integer from 2 to 50000";

export const awsDefinition = {
  kind: "aws",
  capabilities: { headerRouting: true, mirroring: false, baseline: false },
  settings: z.object({
    listenerArn: z.string().regex(listenerArnPattern, "must be an ALB listener ARN"),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id such as vpc-0123abcd"),
    priority: z.number({ message: priorityMessage }).int(priorityMessage).min(2, priorityMessage).max(50000, priorityMessage),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1").optional(),
  }),
  config: {
    awsListenerArn: { setting: "listenerArn" },
    awsVpcId: { setting: "vpcId" },
    awsRulePriority: { setting: "priority", input: "integer" },
    awsRegion: { setting: "region" },
  },
  liveWeight: awsLiveWeight,
  declaredWeights: "unsupported",
  // Not yet: the brake would call the cloud API; the stack update alone moves traffic back.
  brake: "unsupported",
} satisfies RouterDefinition<"aws">;
