/**
 * A router's settings as the service reads them from a release stack's
 * config: each of the router's keys prepared as the program prepares it.
 * Secrets are left out, because stack config shows them as `[secret]`; the
 * service gets those from its own environment.
 */
import type { ConfigSetting } from "../../components/trafficSplit/routers/definition";
import { routerDefinitions, type RouterKind } from "../../components/trafficSplit/routers/registry";
import { stackConfigKeys } from "../../infra/configKeys";
import { prepareFor } from "../../infra/configInputs";

function prepared(raw: string | undefined, { input = "text" }: ConfigSetting): { value: unknown } | undefined {
  if (raw === undefined || raw.trim() === "" || input === "secret") return undefined;
  const result = prepareFor[input](raw);
  // A value that cannot be prepared still goes to the settings schema, whose message then says what it must be.
  return { value: result.ok ? result.value : raw };
}

/** Setting → value for the settings of `kind` that the stack config sets. */
export function routerSettingsFromConfig(kind: RouterKind, config: Readonly<Record<string, string>>): Record<string, unknown> {
  const entries = Object.entries(routerDefinitions[kind].config).flatMap(([key, setting]) => {
    const value = prepared(config[stackConfigKeys[key as keyof typeof stackConfigKeys]], setting);
    return value === undefined ? [] : [[setting.setting, value.value] as const];
  });
  return Object.fromEntries(entries);
}
