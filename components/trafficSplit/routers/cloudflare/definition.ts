/** Cloudflare load balancer: its pool weights live in the Cloudflare API, where the probe reads them. */
import { z } from "zod";
import type { RouterDefinition } from "../definition";
import { cloudflareLiveWeight } from "./liveWeight";
import { secretSetting, settingText } from "../settingsFields";

export const cloudflareDefinition = {
  kind: "cloudflare",
  capabilities: { headerRouting: false, mirroring: false, baseline: false },
  settings: z.object({
    accountId: settingText("a Cloudflare account id"),
    zoneId: settingText("a Cloudflare zone id"),
    apiToken: secretSetting,
    stableOrigin: settingText("an origin address"),
    canaryOrigin: settingText("an origin address"),
  }),
  config: {
    cloudflareAccountId: { setting: "accountId" },
    cloudflareZoneId: { setting: "zoneId" },
    cloudflareApiToken: { setting: "apiToken", input: "secret" },
    cloudflareStableOrigin: { setting: "stableOrigin" },
    cloudflareCanaryOrigin: { setting: "canaryOrigin" },
  },
  liveWeight: cloudflareLiveWeight,
  declaredWeights: "unsupported",
  // Not yet: the brake would call the cloud API; the stack update alone moves traffic back.
  brake: "unsupported",
} satisfies RouterDefinition<"cloudflare">;
