/**
 * The router registry: kind → factory. Adding a router is one file in this
 * folder and one line here; nothing else switches on the kind.
 */
import { TrafficRouter } from "../router";
import { awsRouter } from "./aws";
import { cloudflareRouter } from "./cloudflare";
import { gatewayApiRouter } from "./gateway-api";
import { istioRouter } from "./istio";
import { nginxRouter } from "./nginx";

export const routerFactories = {
  "gateway-api": gatewayApiRouter,
  istio: istioRouter,
  nginx: nginxRouter,
  cloudflare: cloudflareRouter,
  aws: awsRouter,
};

export type RouterKind = keyof typeof routerFactories;

/** Settings a router of kind `K` is built from. */
export type RouterSettings<K extends RouterKind> = NonNullable<Parameters<(typeof routerFactories)[K]>[0]>;

/** Builds a router of kind `K`. */
export type RouterFactory<K extends RouterKind> = (settings: RouterSettings<K>) => TrafficRouter<K>;

// Compile-time check: the registry is a `Record<RouterKind, Factory>` whose factories build their own kind.
const _registry: { readonly [K in RouterKind]: RouterFactory<K> } = routerFactories;

/** Which router to use and its settings, e.g. `{ kind: "gateway-api", gatewayName: "edge" }`. */
export type RouterSpec = { [K in RouterKind]: { readonly kind: K } & RouterSettings<K> }[RouterKind];

export const routerKinds = Object.keys(routerFactories) as RouterKind[];

export function isRouterKind(kind: string): kind is RouterKind {
  return Object.prototype.hasOwnProperty.call(routerFactories, kind);
}

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
