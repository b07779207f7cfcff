/** Optional routing features; every router declares which it supports. */
export const capabilities = ["headerRouting", "mirroring", "baseline"] as const;
export type Capability = (typeof capabilities)[number];
export type RouterCapabilities = Readonly<Record<Capability, boolean>>;
