/** Cloudflare load balancer: its pool weights live in the Cloudflare API, which the probe does not read yet. */
import type { RouterDefinition } from "../definition";

export const cloudflareDefinition: RouterDefinition<"cloudflare"> = {
  kind: "cloudflare",
  capabilities: { headerRouting: false, mirroring: false },
  liveWeight: "unsupported",
  declaredWeights: "unsupported",
};
