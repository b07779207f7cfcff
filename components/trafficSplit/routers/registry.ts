/**
 * The rendering half of the routers: kind → factory, for every kind
 * `definitions/index.ts` lists (the compiler checks that none is missing).
 * Adding a router is its definition, its factory and one line in each list;
 * nothing else switches on the kind.
 */
import { TrafficRouter } from "../router";
import { awsRouter } from "./aws";
import { cloudflareRouter } from "./cloudflare";
import { gatewayApiRouter } from "./gateway-api";
import { istioRouter } from "./istio";
import { type ConfiguredSettings, isRouterKind, RouterKind, routerKinds } from "./definitions";
import { nginxRouter } from "./nginx";

export { isRouterKind, routerKinds, type RouterKind } from "./definitions";

export const routerFactories = {
  "gateway-api": gatewayApiRouter,
  istio: istioRouter,
  nginx: nginxRouter,
  cloudflare: cloudflareRouter,
  aws: awsRouter,
} satisfies Record<RouterKind, unknown>;

/** Settings a router of kind `K` is built from. */
export type RouterSettings<K extends RouterKind> = NonNullable<Parameters<(typeof routerFactories)[K]>[0]>;

/** Builds a router of kind `K`. */
export type RouterFactory<K extends RouterKind> = (settings: RouterSettings<K>) => TrafficRouter<K>;

// Compile-time check: the registry is a `Record<RouterKind, Factory>` whose factories build their own kind.
const _registry: { readonly [K in RouterKind]: RouterFactory<K> } = routerFactories;

// Compile-time check: the settings a definition's schema gives (what stack config builds) are settings its factory takes.
const _configured: { readonly [K in RouterKind]: (settings: ConfiguredSettings<K>) => TrafficRouter<K> } = routerFactories;

/** Which router to use and its settings, e.g. `{ kind: "gateway-api", gatewayName: "edge" }`. */
export type RouterSpec = { [K in RouterKind]: { readonly kind: K } & RouterSettings<K> }[RouterKind];

/** Builds the router `spec` names; throws when its settings are invalid. */
export function createRouter(spec: RouterSpec): TrafficRouter<RouterKind> {
  if (!isRouterKind(spec.kind)) {
    throw new Error(`\`router.kind\` must be one of ${routerKinds.join(", ")} (got "${String(spec.kind)}")`);
  }
  const { kind, ...settings } = spec;
  // The spec's kind picks the factory, so its settings are that factory's settings.
  const factory = _registry[kind] as (settings: object) => TrafficRouter<RouterKind>;
  return factory(settings);
}
