import { z } from "zod";

export const HealthSchema = z.object({ status: z.literal("ok") }).strict();

export const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "not-ready"]),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean() }).strict()),
  })
  .strict();
