/**
 * The list of router kinds: kind → definition. A router is its definition
 * here (what the policy pack and the service need) and its rendering half in
 * `../<kind>.ts`, which `../registry.ts` must supply for every kind listed
 * here; nothing else switches on the kind.
 */
import type { RouterDefinition } from "../definition";
import { awsDefinition } from "./aws";
import { cloudflareDefinition } from "./cloudflare";
import { gatewayApiDefinition } from "./gateway-api";
import { istioDefinition } from "./istio";
import { nginxDefinition } from "./nginx";

export const routerDefinitions = {
  "gateway-api": gatewayApiDefinition,
  istio: istioDefinition,
  nginx: nginxDefinition,
  cloudflare: cloudflareDefinition,
  aws: awsDefinition,
} as const;

export type RouterKind = keyof typeof routerDefinitions;

// Compile-time check: each entry is the definition of its own kind.
const _definitions: { readonly [K in RouterKind]: RouterDefinition<K> } = routerDefinitions;

export const routerKinds = Object.keys(_definitions) as RouterKind[];

export function isRouterKind(kind: string): kind is RouterKind {
  return Object.prototype.hasOwnProperty.call(routerDefinitions, kind);
}
