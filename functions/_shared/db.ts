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
    // which it sets only on sockets it opens itself.
    if (!options.path) Object.assign(socket, { host: options.host[0] ?? 'localhost' });
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
