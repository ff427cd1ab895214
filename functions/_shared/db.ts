import { connect as connectSocket, type Socket } from 'node:net';
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
  return postgres(url, {
    max: options.max ?? 5,
    ssl: sslFromUrl(url),
    // postgres.js reads `socket` (a factory for the connection's socket) but does not declare it.
    ...({ socket: tcpNoDelay } as object),
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'market-pulse' },
    types: {
      // Ids and counts are far below 2^53; plain numbers serialise to JSON, BigInts do not.
      bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) },
    },
  });
}

const SOCKET_CONNECT_TIMEOUT_MS = 30_000;

/**
 * The connection's socket, opened with Nagle's algorithm off. postgres.js leaves it on, and a
 * COPY ends with a separate 5-byte CopyDone that Nagle holds back until the server acknowledges
 * the data before it, which the server delays by 40 ms because it has nothing to send yet:
 * every COPY (and the query after it) took 44 ms instead of a fraction of one. Returned
 * connected, as postgres.js expects of a custom socket; TLS, where the URL asks for it, is still
 * negotiated by postgres.js on top of it.
 */
async function tcpNoDelay(options: { host: string[]; port: number[]; path?: string | false }): Promise<Socket> {
  const socket = options.path
    ? connectSocket(options.path)
    : connectSocket({ host: options.host[0] ?? 'localhost', port: options.port[0] ?? 5432, noDelay: true });
  socket.setNoDelay(true);
  // postgres.js names the TLS server (SNI, and the certificate's host check) after socket.host,
  // which it sets only on sockets it opens itself.
  if (!options.path) Object.assign(socket, { host: options.host[0] ?? 'localhost' });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`could not connect to PostgreSQL within ${SOCKET_CONNECT_TIMEOUT_MS / 1000} s`));
    }, SOCKET_CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return socket;
}
