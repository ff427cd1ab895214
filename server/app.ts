import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { isDatabaseUnavailable, type Sql } from '../functions/_shared/db.ts';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { type ConcurrencyOptions, concurrencyLimit, READ_CONCURRENCY } from '../functions/_shared/http/concurrency.ts';
import { databaseUnavailable, handleError } from '../functions/_shared/http/errors.ts';
import { etlTrigger } from '../functions/_shared/http/etl-trigger.ts';
import { FixedWindowLimiter } from '../functions/_shared/http/rate-limit.ts';
import { publicConfig, readApi } from '../functions/_shared/http/read-api.ts';
import type { Interval } from '../functions/_shared/intervals.ts';
import { type AnswerCache, createAnswerCache } from './answer-cache.ts';
import { dashboardPage } from './dashboard-page.ts';
import type { DatabaseHealth } from './database-health.ts';
import { hostAllowList } from './host-check.ts';
import type { LiveEvent, LiveHub } from './live.ts';
import { apiCors, securityHeaders } from './security.ts';
import { DEFAULT_STREAM_LIMITS, type StreamLimits, StreamSlots } from './stream-limits.ts';

/** The Node server: the shared Hono routes plus what only a long-lived process can do (SSE, static files). */

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export interface ServerDeps {
  /** The read API's pool. */
  sql: Sql;
  /** Whether the database answers: while it does not, reads get a 503 at once and the live stream says so. */
  health?: DatabaseHealth;
  live: LiveHub;
  symbols: readonly string[];
  interval: Interval;
  simulated: boolean;
  etlSecret: string | null;
  runEtl: (trigger: string) => Promise<RunSummary>;
  heartbeatMs?: number;
  /** Origins allowed to read the API from other sites (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** Trigger calls per minute and caller (default 10), counted apart for right- and wrong-secret callers. */
  triggerLimitPerMinute?: number;
  /** `Host` names answered besides the loopback ones (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  readConcurrency?: ConcurrencyOptions;
  streamLimits?: StreamLimits;
  /** The read API's answers, rendered once per data version; by default a cache of its own on `sql`. */
  answers?: AnswerCache;
}

/** Events a live client may have waiting; one that falls this far behind is dropped (it reconnects and catches up). */
const MAX_QUEUED_EVENTS = 32;

/** The trigger's body is at most a cron request id ({"etl_request_id": n}); anything big is refused before it is read. */
const TRIGGER_BODY_LIMIT = 16 * 1024;

export function createServerApp(deps: ServerDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    if (isDatabaseUnavailable(error)) deps.health?.failed(error);
    return handleError(error, c);
  });
  app.use('*', hostAllowList(deps.allowedHosts ?? []));
  const answers = deps.answers ?? createAnswerCache(deps.sql);
  const cors = (deps.corsOrigins ?? []).length > 0;
  // Cached answers skip the middleware below (but not the Host check above); with CORS origins set
  // they must pass the CORS check.
  // While the database is known to be away, reads fail at once (a cached answer too: the data's
  // freshness can no longer be vouched for) instead of each waiting on a connection attempt.
  app.use('/api/*', async (c, next) => {
    if (deps.health && !deps.health.reachable() && c.req.path !== '/api/config' && c.req.path !== '/api/stream')
      return databaseUnavailable(c);
    await next();
  });
  if (!cors) app.use('/api/*', answers.fastPath);
  app.use('*', securityHeaders());
  app.use('/api/*', apiCors(deps.corsOrigins ?? []));
  if (cors) app.use('/api/*', answers.fastPath);

  const caller = (c: Context) => getConnInfo(c).remote.address ?? 'unknown';
  const triggerLimit = { limit: deps.triggerLimitPerMinute ?? 10, windowMs: 60_000 };
  app.use(
    '/functions/v1/market-etl',
    bodyLimit({
      maxSize: TRIGGER_BODY_LIMIT,
      onError: (c) => c.json({ error: `request body over ${TRIGGER_BODY_LIMIT} bytes` }, 413),
    }),
  );
  app.route(
    '/functions/v1/market-etl',
    etlTrigger({
      secret: deps.etlSecret,
      run: deps.runEtl,
      limits: { key: caller, refused: new FixedWindowLimiter(triggerLimit), accepted: new FixedWindowLimiter(triggerLimit) },
    }),
  );

  // Database-backed reads share one limit; /api/config (no database) and the stream are not in it.
  const reads = concurrencyLimit(deps.readConcurrency ?? READ_CONCURRENCY);
  for (const route of ['/api/latest', '/api/series', '/api/returns', '/api/bars', '/api/runs/*']) app.use(route, reads);

  const streams = new StreamSlots(deps.streamLimits ?? DEFAULT_STREAM_LIMITS);
  app.get('/api/stream', (c) => {
    const slot = streams.admit(caller(c));
    if (!slot.admitted) {
      c.header('Retry-After', '30');
      return slot.reason === 'address'
        ? c.json({ error: 'too many live connections from this address' }, 429)
        : c.json({ error: 'too many live connections; retry later' }, 503);
    }
    return liveStream(c, slot.release);
  });

  const liveStream = (c: Context, release: () => void) =>
    streamSSE(
      c,
      async (stream) => {
        const queue: LiveEvent[] = [];
        let wake: (() => void) | null = null;
        const push = (event: LiveEvent) => {
          // A client that stopped reading is let go rather than queued for without end.
          if (queue.length >= MAX_QUEUED_EVENTS) {
            unsubscribe();
            stream.abort();
          } else {
            queue.push(event);
          }
          wake?.();
        };
        const databaseEvent = (reachable: boolean): LiveEvent => ({ event: 'database', data: JSON.stringify({ reachable }) });
        const unsubscribeLive = deps.live.subscribe(push);
        const unsubscribeHealth = deps.health?.subscribe((reachable) => push(databaseEvent(reachable))) ?? (() => {});
        const unsubscribe = () => {
          unsubscribeLive();
          unsubscribeHealth();
        };
        stream.onAbort(() => {
          unsubscribe();
          release();
        });
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ interval: deps.interval }) });
        // Where the database stands right now; later changes follow as they happen.
        if (deps.health) await stream.writeSSE(databaseEvent(deps.health.reachable()));
        while (!stream.aborted && !stream.closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE(event);
            continue;
          }
          // Wait for the next event, or send a heartbeat so proxies keep the connection open.
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, deps.heartbeatMs ?? 15_000);
          });
          wake = null;
          if (queue.length === 0 && !stream.aborted) await stream.write(': heartbeat\n\n');
        }
        unsubscribe();
        release();
      },
      async () => release(),
    );
  app.route('/api', readApi({ ...deps, answers }));

  if (existsSync(WEB_DIST)) {
    const page = dashboardPage(app, answers, publicConfig(deps), path.join(WEB_DIST, 'index.html'), deps.health);
    for (const route of ['/', '/index.html']) app.get(route, page);
    app.use('/*', serveStatic({ root: path.relative(process.cwd(), WEB_DIST) }));
  } else {
    app.get('/', (c) => c.text('The dashboard is not built yet: run `npm run build`.', 503));
  }
  return app;
}
