/**
 * The one connection to Rollgate's store, PostgreSQL: a pool for queries and
 * transactions, a dedicated connection for LISTEN, and the classification of
 * driver errors. Every store module (`automation/store/*.ts`) holds its SQL;
 * nothing else talks to the database.
 *
 * While the database is unreachable every query rejects with
 * `DatabaseUnavailableError` (an `unavailable` error: 503 with Retry-After),
 * and the pool reconnects on its own when the server is back.
 */
import pg from "pg";
import { redactCredentials, ServiceUnavailableError } from "../errors";
import type { Logger } from "../deps";

/** Seconds a client should wait before retrying while the database is down. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export class DatabaseUnavailableError extends ServiceUnavailableError {
  readonly retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;

  constructor(failure: unknown) {
    super(`the database is unavailable (${describeCause(failure)}); retry later`);
  }
}

/** Codes of errors that mean "the server or the connection went away", not "the query is wrong". */
const unavailableSqlStates = new Set(["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "08P01"]);
const unavailableErrnos = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);

/** True for errors that say the database cannot be reached now (a retry later may succeed). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (unavailableSqlStates.has(code) || unavailableErrnos.has(code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    error.message,
  );
}

/** The SQLSTATE of a driver error, if any (`23505` unique violation, ...). */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The constraint a unique or foreign-key violation names. */
export function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === "string" ? constraint : undefined;
}

/** Something to run a statement on: the pool, or one transaction's connection. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

export interface DatabaseOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Connections this process may hold at once. */
  readonly maxConnections?: number;
  /** How long a query waits for a connection before the database counts as unavailable. */
  readonly connectTimeoutMs?: number;
  /** Server-side limit per statement, so a stuck query cannot hold a request forever. */
  readonly statementTimeoutMs?: number;
  readonly applicationName?: string;
}

export class Database implements Queryable {
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(private readonly options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 20,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      // Connections are kept: opening one (a server process, SCRAM) is slow on a loaded host.
      idleTimeoutMillis: 300_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      application_name: options.applicationName ?? "rollgate",
      keepAlive: true,
    });
    // An idle client whose server went away emits here; the pool drops it and the next query reconnects.
    this.pool.on("error", (err) => options.logger.warn({ err: redactedError(err) }, "an idle database connection failed"));
  }

  /** One statement on any pooled connection. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values as unknown[] | undefined);
    } catch (error) {
      throw translate(error);
    }
  }

  /**
   * Runs `work` in a transaction (READ COMMITTED): commits when it resolves,
   * rolls back when it throws. Errors of an unreachable database become
   * `DatabaseUnavailableError`.
   */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translate(error);
    }
    let broken = false;
    // A checked-out client has no listener of the pool's: when its server goes away
    // (between statements, or after a query already failed) the `error` event would
    // otherwise be uncaught and end the process.
    const onConnectionError = (): void => {
      broken = true;
    };
    client.on("error", onConnectionError);
    try {
      await client.query("BEGIN");
      const result = await work(client as Queryable);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      broken ||= isUnavailable(error);
      if (!broken) await client.query("ROLLBACK").catch(() => undefined);
      throw translate(error);
    } finally {
      client.release(broken);
      // A broken client is discarded and may still emit while it closes: it keeps the listener.
      if (!broken) client.removeListener("error", onConnectionError);
    }
  }

  /** Resolves when the server answers a trivial query. */
  async ping(): Promise<void> {
    await this.query("SELECT 1");
  }

  /**
   * Calls `onNotify` for each NOTIFY on `channel` (payload as sent), from a
   * dedicated connection that is re-established after a failure. Returns a
   * function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): () => void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new TypeError(`invalid channel name ${channel}`);
    let stopped = false;
    let current: ListeningConnection | undefined;
    let retry: NodeJS.Timeout | undefined;
    const start = async (): Promise<void> => {
      if (stopped || this.closed) return;
      let listening: ListeningConnection | undefined;
      try {
        listening = new ListeningConnection(await this.pool.connect(), channel, onNotify, () => {
          if (current === listening) current = undefined;
          schedule();
        });
        current = listening;
        await listening.connection.query(`LISTEN ${channel}`);
        onReconnect?.();
      } catch {
        if (current === listening) current = undefined;
        // A connection whose error event released it has scheduled the retry already.
        if (!listening || listening.release(true)) schedule();
      }
    };
    const schedule = (): void => {
      if (stopped || this.closed) return;
      retry = setTimeout(() => void start(), 1000);
      retry.unref();
    };
    void start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      const listening = current;
      current = undefined;
      if (listening) {
        void listening.connection.query(`UNLISTEN ${channel}`).then(
          () => listening.release(false),
          () => listening.release(true),
        );
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

function translate(error: unknown): unknown {
  return isUnavailable(error) && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" ? code : redactCredentials(cause.message);
}

/** The driver's errors can carry the connection string; logs get a copy without its password. */
function redactedError(error: Error): Error {
  const copy = new Error(redactCredentials(error.message));
  copy.name = error.name;
  return copy;
}

/**
 * A pooled connection that LISTENs on a channel, released to the pool exactly
 * once: a dying connection can emit `error` twice (the server's FATAL, then
 * the socket's end), also after a failed LISTEN or an UNLISTEN released it.
 */
class ListeningConnection {
  private released = false;
  private readonly onNotification = (message: pg.Notification): void => {
    if (message.channel === this.channel) this.onNotify(message.payload ?? "");
  };
  private readonly onError = (): void => {
    if (this.release(true)) this.onFailure();
  };

  constructor(
    readonly connection: pg.PoolClient,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onFailure: () => void,
  ) {
    connection.on("notification", this.onNotification);
    connection.on("error", this.onError);
  }

  /** Returns the connection to the pool (destroyed if `destroy`); false if it was already. */
  release(destroy: boolean): boolean {
    if (this.released) return false;
    this.released = true;
    this.connection.removeListener("notification", this.onNotification);
    // A destroyed connection may still emit while it closes: its error listener stays, and does nothing now.
    if (!destroy) this.connection.removeListener("error", this.onError);
    this.connection.release(destroy);
    return true;
  }
}
