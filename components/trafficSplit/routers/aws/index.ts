/** The AWS Application Load Balancer router: its definition and the resources it renders, one registry entry. */
import { awsDefinition } from "./definition";
import { awsRouter } from "./render";

export const aws = { ...awsDefinition, render: awsRouter };
