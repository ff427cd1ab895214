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

export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 5,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'market-pulse' },
    types: {
      // Ids and counts are far below 2^53; plain numbers serialise to JSON, BigInts do not.
      bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) },
    },
  });
}
