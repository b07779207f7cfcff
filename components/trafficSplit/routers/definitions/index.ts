/**
 * The list of router kinds: kind → definition. A router is its definition
 * here (what the policy pack and the service need) and its rendering half in
 * `../<kind>.ts`, which `../registry.ts` must supply for every kind listed
 * here; nothing else switches on the kind.
 */
import type { z } from "zod";
import type { RouterDefinition } from "../definition";
import { awsDefinition } from "./aws";
import { cloudflareDefinition } from "./cloudflare";
import { gatewayApiDefinition } from "./gateway-api";
import { istioDefinition } from "./istio";
import { nginxDefinition } from "./nginx";

const definitions = {
  "gateway-api": gatewayApiDefinition,
  istio: istioDefinition,
  nginx: nginxDefinition,
  cloudflare: cloudflareDefinition,
  aws: awsDefinition,
} as const;

export type RouterKind = keyof typeof definitions;

/** The router of a stack whose config names none (`rollgate:router` unset). */
export const defaultRouterKind: RouterKind = "gateway-api";

/** Each entry is the definition of its own kind (the compiler checks it here). */
export const routerDefinitions: { readonly [K in RouterKind]: RouterDefinition<K> } = definitions;

export const routerKinds = Object.keys(routerDefinitions) as RouterKind[];

/** The settings stack config gives a router of kind `K`. */
export type ConfiguredSettings<K extends RouterKind> = z.output<(typeof definitions)[K]["settings"]>;

/** The stack config keys of every router (`rollgate:<key>`). */
export type RouterConfigKey = { [K in RouterKind]: keyof (typeof definitions)[K]["config"] & string }[RouterKind];

export const routerConfigKeys = [...new Set(Object.values(routerDefinitions).flatMap((definition) => Object.keys(definition.config)))] as RouterConfigKey[];

export function isRouterKind(kind: string): kind is RouterKind {
  return Object.prototype.hasOwnProperty.call(routerDefinitions, kind);
}
