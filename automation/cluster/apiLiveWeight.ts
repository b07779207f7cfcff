/**
 * Reading a cloud router's live weight from its API: the router's settings
 * from stack config, plus the secrets stack config keeps from the service,
 * checked by the router's settings schema and handed to its API reader with
 * a time limit.
 */
import { LiveWeightReadError, type ApiWeightReader } from "../../components/trafficSplit/routers/definition";
import { routerDefinitions, type RouterKind } from "../../components/trafficSplit/routers/registry";

export interface CloudApiOptions {
  /** Settings stack config keeps secret (e.g. `{ cloudflare: { apiToken } }`), from the service's environment. */
  readonly secrets?: { readonly [K in RouterKind]?: Readonly<Record<string, string>> };
  /** API base URL by router kind; each provider's public endpoint when left out. */
  readonly endpoints?: { readonly [K in RouterKind]?: string };
  readonly fetch?: typeof fetch;
  /** How long one read may take. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Where the route's cloud objects are, as the probe resolved it from stack config. */
export interface ApiTarget {
  readonly router: RouterKind;
  readonly routeName: string;
  readonly hostnames: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
}

const defaultTimeoutMs = 10_000;

export async function readApiLiveWeight(reader: ApiWeightReader, target: ApiTarget, options: CloudApiOptions): Promise<number> {
  const definition = routerDefinitions[target.router];
  const settings = definition.settings.safeParse({ ...target.settings, ...options.secrets?.[target.router] });
  if (!settings.success) {
    const secrets = new Set(Object.values(definition.config).flatMap(({ setting, input }) => (input === "secret" ? [setting] : [])));
    const problems = settings.error.issues.map((issue) => {
      const setting = issue.path.join(".");
      const hint = secrets.has(setting) ? " (stack config keeps it secret from the service, whose environment must give it)" : "";
      return `\`${setting}\` ${issue.message}${hint}`;
    });
    throw new LiveWeightReadError(`router ${target.router} settings cannot read the live weight: ${problems.join("; ")}`, false);
  }
  const endpoint = options.endpoints?.[target.router];
  return reader.read(settings.data, {
    routeName: target.routeName,
    hostnames: target.hostnames,
    signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
    ...(endpoint ? { endpoint } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
