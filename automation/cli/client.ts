/** A typed client of the Rollgate HTTP API, over fetch. */
import type { z } from "zod";
import type { ProblemBody } from "../schemas/common";
import { OperationSchema, type OperationBody } from "../schemas/operations";
import { ReleaseSchema } from "../schemas/releases";
import { MAX_PAGE_LIMIT } from "../services/pagination";
import {
  AcceptedSchema,
  PreviewPageSchema,
  PreviewSchema,
  type AcceptedBody,
  type CreatePreviewBody,
} from "../schemas/previews";

export type Preview = z.infer<typeof PreviewSchema>;
export type Operation = OperationBody;
export type Accepted = AcceptedBody;
export type Release = z.output<typeof ReleaseSchema>;

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody | undefined,
  ) {
    super(problem?.detail ?? `the server answered ${status}`);
    this.name = "ApiError";
  }
}

/** The server could not be reached or answered something unexpected. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

export interface RollgateClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly fetch?: typeof fetch;
}

export class RollgateClient {
  private readonly fetch: typeof fetch;
  /** The server's URL without a trailing slash (links to the dashboard start here). */
  readonly baseUrl: string;

  constructor(private readonly options: RollgateClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  createPreview(body: CreatePreviewBody): Promise<Accepted> {
    return this.request("POST", "/api/v1/previews", AcceptedSchema, body);
  }

  listPreviews(): Promise<Preview[]> {
    return this.allPages("/api/v1/previews", PreviewPageSchema, (page) => page.previews);
  }

  getPreview(pr: number): Promise<Preview> {
    return this.request("GET", `/api/v1/previews/${pr}`, PreviewSchema);
  }

  destroyPreview(pr: number): Promise<Accepted> {
    return this.request("DELETE", `/api/v1/previews/${pr}`, AcceptedSchema);
  }

  getOperation(id: string): Promise<Operation> {
    return this.request("GET", `/api/v1/operations/${encodeURIComponent(id)}`, OperationSchema);
  }

  getRelease(id: string): Promise<Release> {
    return this.request("GET", `/api/v1/releases/${encodeURIComponent(id)}`, ReleaseSchema);
  }

  /** Every item of a paged list, following `nextCursor` page by page (the largest pages the API gives). */
  async allPages<S extends z.ZodType<{ nextCursor: string | null }, z.ZodTypeDef, unknown>, T>(
    path: string,
    schema: S,
    itemsOf: (page: z.output<S>) => readonly T[],
  ): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: String(MAX_PAGE_LIMIT), ...(cursor === null ? {} : { cursor }) });
      const page: z.output<S> = await this.request("GET", `${path}${path.includes("?") ? "&" : "?"}${query.toString()}`, schema);
      items.push(...itemsOf(page));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  /** Any API call, its answer validated with `schema`; command groups without their own methods here use it. */
  async request<T extends z.ZodTypeAny>(method: string, path: string, schema: T, body?: unknown): Promise<z.output<T>> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new ConnectionError(`cannot reach the Rollgate server at ${this.baseUrl}${cause ? ` (${cause})` : ""}`);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new ConnectionError(`the server at ${this.baseUrl} answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) throw new ApiError(response.status, asProblem(data));
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ConnectionError(`the server at ${this.baseUrl} answered ${method} ${path} unexpectedly`);
    return parsed.data;
  }
}

function asProblem(data: unknown): ProblemBody | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const candidate = data as Partial<ProblemBody>;
  return typeof candidate.detail === "string" && typeof candidate.status === "number" ? (candidate as ProblemBody) : undefined;
}
