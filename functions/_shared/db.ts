import { connect as connectSocket, Socket } from 'node:net';
import postgres from 'postgres';

type Types = { bigint: number };

/** The postgres.js client (a pool) the ETL and the read API take, on Node and Deno alike. */
export type Sql = postgres.Sql<Types>;

/** Anything that runs queries: the pool, or a transaction opened on it. */
export type Queryable = postgres.ISql<Types>;

export interface ConnectOptions {
  max?: number;
  /** Shown in pg_stat_activity, so operators can tell our sessions apart. */
  applicationName?: string;
  /** Server-side limit per statement (statement_timeout), ms. Unset: the server's default. */
  statementTimeoutMs?: number;
  /** How long opening a connection (TCP, TLS, authentication) may take, s (default 10). */
  connectTimeoutS?: number;
  /** Idle connections are closed after this many seconds (default 60), so a pool never holds a dead one for long. */
  idleTimeoutS?: number;
}

/**
 * Between failed connection attempts postgres.js waits longer each time, up to 20 s by default; a
 * read arriving during an outage would wait that long before failing. Capped at half a second, so
 * a request learns at once that the database is away, and the pool is back as soon as it is.
 */
function reconnectBackoffS(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}

/**
 * TLS as libpq's sslmode asks for it: `disable` none; absent or `prefer`, TLS where the server
 * offers it; `require` TLS without checking the certificate; `verify-ca` and `verify-full` TLS
 * with the certificate checked against the host name (postgres.js has no CA-only check).
 */
export function sslFromUrl(url: string): false | 'prefer' | 'require' | 'allow' | 'verify-full' {
  let mode: string | null = null;
  try {
    mode = new URL(url).searchParams.get('sslmode');
  } catch {
    return 'prefer';
  }
  switch (mode) {
    case 'disable':
      return false;
    case 'allow':
    case 'require':
      return mode;
    case 'verify-ca':
    case 'verify-full':
      return 'verify-full';
    default:
      return 'prefer';
  }
}

export function connect(url: string, options: ConnectOptions = {}): Sql {
  const statementTimeout = options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs };
  return postgres(url, {
    max: options.max ?? 5,
    connect_timeout: options.connectTimeoutS ?? 10,
    idle_timeout: options.idleTimeoutS ?? 60,
    backoff: reconnectBackoffS,
    ssl: sslFromUrl(url),
    // postgres.js reads `socket` (a factory for the connection's socket) but does not declare it.
    ...({ socket: tcpNoDelay } as object),
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'market-pulse', ...statementTimeout },
    types: {
      // Ids and counts are far below 2^53; plain numbers serialise to JSON, BigInts do not.
      bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) },
    },
  });
}

/**
 * The connection's socket, opened with Nagle's algorithm off. postgres.js leaves it on, and a
 * COPY ends with a separate 5-byte CopyDone that Nagle holds back until the server acknowledges
 * the data before it, which the server delays by 40 ms because it has nothing to send yet:
 * every COPY (and the query after it) took 44 ms instead of a fraction of one. TLS, where the
 * URL asks for it (sslmode), is still negotiated by postgres.js on top of this socket.
 *
 * Returned at once, still connecting, and never as a rejection: postgres.js 3.4.9 attaches its
 * 'error' and 'close' handlers to the socket a factory returns, and those are what free the
 * pool slot after a failed attempt. A factory that rejects (an earlier version waited for
 * 'connect' and rejected on ECONNREFUSED) leaves the slot in its `connecting` queue for good:
 * after `max` failed attempts every query waited forever. Writes made before the socket is
 * connected are queued by the socket, and postgres.js's connect_timeout bounds the attempt.
 */
function tcpNoDelay(options: { host: string[]; port: number[]; path?: string | false }): Socket {
  try {
    const socket = options.path
      ? connectSocket(options.path)
      : connectSocket({ host: options.host[0] ?? 'localhost', port: options.port[0] ?? 5432, noDelay: true });
    socket.setNoDelay(true);
    // postgres.js names the TLS server (SNI, and the certificate's host check) after socket.host,
    // and its connection errors after socket.host and socket.port, which it sets only on sockets
    // it opens itself.
    if (!options.path) Object.assign(socket, { host: options.host[0] ?? 'localhost', port: options.port[0] ?? 5432 });
    return socket;
  } catch (error) {
    // A synchronous failure (a malformed address) still has to reach postgres.js as a socket
    // error, after it has attached its handlers.
    const failed = new Socket();
    setTimeout(() => failed.destroy(error instanceof Error ? error : new Error(String(error))), 0);
    return failed;
  }
}

/** Errors that mean the database could not be reached or went away, not that a query was wrong. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
]);

/**
 * True when an error says the database is away (refused, unreachable, shutting down, starting up,
 * out of connections): a caller should try again later, and nothing about its request was wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // SQLSTATE class 08: connection exception; 57P01-57P03: shutting down, crashed, starting up; 53300: too many connections.
  return UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300';
}

/**
 * Errors that mean a transaction's connection is gone (closed, reset, or the server shutting down).
 * Other socket errors (ETIMEDOUT from keepalive, say) are not waited on: Node emits a socket's
 * 'error' before its 'close', and postgres.js rejects the query on 'error', so the ROLLBACK that
 * follows still finds a socket (a destroyed one, whose write fails quietly). It is a closed socket
 * with no error first (a FIN: a crashed backend, a pooler) that the guard is for.
 */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code.startsWith('CONNECTION_') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'EPIPE')
  );
}

/** A transaction opened by `transaction()`. */
export type Transaction = postgres.TransactionSql<Types>;

/** Wraps a savepoint's callback (`tx.savepoint(step => guard(() => ...))`) against the same defect. */
export type SavepointGuard = <T>(work: () => Promise<T>) => Promise<T>;

export interface TransactionOptions {
  /** `read only` for reads; unset, a read-write transaction. */
  mode?: 'read only';
  /**
   * Aborted when the transaction's begin() has failed. Pass one to share it with work outside the
   * transaction (the ETL's lock transaction aborts its steps with it).
   */
  lost?: AbortController;
}

/**
 * Every transaction of the product goes through here, because of a postgres.js 3.4.9 defect
 * (porsager/postgres#1208, #1154; fixes proposed, none released): when a transaction's callback
 * rejects, postgres.js writes its own ROLLBACK on the transaction's connection, and when that
 * connection has already closed (a reset, a restart) the write is scheduled on a socket that is
 * gone and throws from a timer. Nothing can catch that: the process ends. begin() itself has
 * already rejected with the connection's error by then, so the callback here never settles once
 * its connection is lost: no ROLLBACK is written, the caller hears the error from begin(), and the
 * pending callback, referenced by nothing, is collected like any other garbage.
 */
export async function transaction<T>(
  sql: Sql,
  work: (tx: Transaction, guard: SavepointGuard) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const lost = options.lost ?? new AbortController();
  // A savepoint's callback is answered with ROLLBACK TO in the same way: it is guarded alike.
  const guard: SavepointGuard = (nested) => unlessConnectionLost(lost.signal, nested);
  const guarded = (tx: Transaction) => guard(() => work(tx, guard));
  try {
    return (await (options.mode ? sql.begin(options.mode, guarded) : sql.begin(guarded))) as T;
  } catch (error) {
    lost.abort(error);
    throw error;
  }
}

async function unlessConnectionLost<T>(lost: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    // The connection went while the work was not using it (the ETL's lock transaction is idle
    // across the API requests): postgres.js would write COMMIT to the closed socket.
    if (lost.aborted) return await new Promise<never>(() => {});
    return result;
  } catch (error) {
    // A lost connection may be another connection's (a query the work made on the pool): only a
    // transaction whose begin() rejected is left pending; any other rolls back as usual.
    if (lost.aborted || (connectionLost(error) && (await abortedWithin(lost, 5_000)))) return await new Promise<never>(() => {});
    throw error;
  }
}

function abortedWithin(signal: AbortSignal, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(signal.aborted), ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}
