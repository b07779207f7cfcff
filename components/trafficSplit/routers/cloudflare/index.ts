/** The Cloudflare load balancer router: its definition and the resources it renders, one registry entry. */
import { cloudflareDefinition } from "./definition";
import { cloudflareRouter } from "./render";

export const cloudflare = { ...cloudflareDefinition, render: cloudflareRouter };
