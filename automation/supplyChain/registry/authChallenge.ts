/** `WWW-Authenticate` of a registry's 401 (RFC 7235): the scheme and its parameters, e.g. Bearer realm/service/scope. */

export interface AuthChallenge {
  /** Lower case: `bearer` or `basic`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const paramPattern = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;

/** The first challenge of the header; `undefined` when there is none. */
export function parseAuthChallenge(header: string | null): AuthChallenge | undefined {
  const match = header?.trim().match(/^([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*))?$/s);
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const [, name, quoted, bare] of (match[2] ?? "").matchAll(paramPattern)) {
    if (name) params[name.toLowerCase()] = quoted === undefined ? (bare ?? "") : quoted.replace(/\\(.)/g, "$1");
  }
  return { scheme: match[1].toLowerCase(), params };
}
