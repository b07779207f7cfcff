/** Names of the Cloudflare objects the router creates, shared by the renderer and the live-weight reader. */

/**
 * Host name of the load balancer serving `hostname`: its first label gets a
 * `-lb` suffix (`app.example.com` → `app-lb.example.com`); the public host
 * names are CNAMEs to it.
 */
export function loadBalancerHostname(hostname: string): string {
  const [first = "", ...rest] = hostname.split(".");
  const label = `${first.slice(0, 60).replace(/-+$/, "")}-lb`;
  return [label, ...rest].join(".");
}

/** Name of the pool serving one track of a route. */
export function cloudflarePoolName(routeName: string, track: "stable" | "canary"): string {
  return `${routeName}-${track}`;
}
