/**
 * The list of routers: kind → router module (`<kind>/index.ts`). A router is
 * one module holding its definition (settings, stack config keys,
 * capabilities, live weight, brake, the weights the policy pack checks) and
 * its rendering; adding one is its module and one line here, and the
 * compiler checks that every entry supplies all of it for its own kind.
 * Nothing else switches on the kind. Importing this loads no provider SDK
 * (see `components/providerSdks.ts`), so the service and the policy pack use it.
 */
import type { z } from "zod";
import type { RouterDefinition, RouterModule } from "./definition";
import type { TrafficRouter } from "../router";
import { aws } from "./aws";
import { cloudflare } from "./cloudflare";
import { gatewayApi } from "./gateway-api";
import { istio } from "./istio";
import { nginx } from "./nginx";

const routers = {
  "gateway-api": gatewayApi,
  istio,
  nginx,
  cloudflare,
  aws,
} as const;

export type RouterKind = keyof typeof routers;

/** The router of a stack whose config names none (`rollgate:router` unset). */
export const defaultRouterKind = "gateway-api" satisfies RouterKind;

/** Settings a router of kind `K` is built from. */
export type RouterSettings<K extends RouterKind> = NonNullable<Parameters<(typeof routers)[K]["render"]>[0]>;

/** The settings stack config gives a router of kind `K`. */
export type ConfiguredSettings<K extends RouterKind> = z.output<(typeof routers)[K]["settings"]>;

// Compile-time check: each entry is a module of its own kind, rendering from the settings it takes.
const modules: { readonly [K in RouterKind]: RouterModule<K, RouterSettings<K>> } = routers;

// Compile-time check: the settings a module's schema gives (what stack config builds) are settings it renders from.
const _configured: { readonly [K in RouterKind]: { render: (settings: ConfiguredSettings<K>) => TrafficRouter<K> } } = routers;

/** Each router's definition, by kind. */
export const routerDefinitions: { readonly [K in RouterKind]: RouterDefinition<K> } = modules;

export const routerKinds = Object.keys(routers) as RouterKind[];

/** The stack config keys of every router (`rollgate:<key>`). */
export type RouterConfigKey = { [K in RouterKind]: keyof (typeof routers)[K]["config"] & string }[RouterKind];

export const routerConfigKeys = [...new Set(Object.values(routerDefinitions).flatMap((definition) => Object.keys(definition.config)))] as RouterConfigKey[];

export function isRouterKind(kind: string): kind is RouterKind {
  return Object.prototype.hasOwnProperty.call(routers, kind);
}

/** Which router to use and its settings, e.g. `{ kind: "gateway-api", gatewayName: "edge" }`. */
export type RouterSpec = { [K in RouterKind]: { readonly kind: K } & RouterSettings<K> }[RouterKind];

/** Builds the router `spec` names; throws when its settings are invalid. */
export function createRouter(spec: RouterSpec): TrafficRouter<RouterKind> {
  if (!isRouterKind(spec.kind)) {
    throw new Error(`\`router.kind\` must be one of ${routerKinds.join(", ")} (got "${String(spec.kind)}")`);
  }
  const { kind, ...settings } = spec;
  // The spec's kind picks the module, so its settings are that module's settings.
  const render = modules[kind].render as (settings: object) => TrafficRouter<RouterKind>;
  return render(settings);
}
