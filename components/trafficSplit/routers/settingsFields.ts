/** Setting schemas several routers share; each message completes "`<setting>` …". */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isDnsLabel } from "../../previewEnvironment/naming";

export const settingText = (what: string) => z.string().trim().min(1, `must be ${what}`);

export const dnsLabelSetting = z.string().refine(isDnsLabel, "must be a DNS label (a-z, 0-9 and '-', at most 63 characters)");

/**
 * A secret: stack config checks it and keeps it a Pulumi secret (an object
 * here); a plain string given to the component must not be blank.
 */
export const secretSetting = z.custom<pulumi.Output<string>>(
  (value) => (typeof value === "string" ? value.trim().length > 0 : typeof value === "object" && value !== null),
  "must not be empty",
);
