import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { Sql } from '../functions/_shared/db.ts';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { handleError } from '../functions/_shared/http/errors.ts';
import { etlTrigger } from '../functions/_shared/http/etl-trigger.ts';
import { rateLimit } from '../functions/_shared/http/rate-limit.ts';
import { readApi } from '../functions/_shared/http/read-api.ts';
import type { Interval } from '../functions/_shared/intervals.ts';
import { type AnswerCache, createAnswerCache } from './answer-cache.ts';
import type { LiveEvent, LiveHub } from './live.ts';
import { apiCors, securityHeaders } from './security.ts';

/** The Node server: the shared Hono routes plus what only a long-lived process can do (SSE, static files). */

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export interface ServerDeps {
  sql: Sql;
  live: LiveHub;
  symbols: readonly string[];
  interval: Interval;
  simulated: boolean;
  etlSecret: string | null;
  runEtl: (trigger: string) => Promise<RunSummary>;
  heartbeatMs?: number;
  /** Origins allowed to read the API from other sites (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** Trigger calls per minute and caller, allowed or not (default 10). */
  triggerLimitPerMinute?: number;
  /** The read API's answers, rendered once per data version; by default a cache of its own on `sql`. */
  answers?: AnswerCache;
}

/** The trigger's body is at most a cron request id ({"etl_request_id": n}); anything big is refused before it is read. */
const TRIGGER_BODY_LIMIT = 16 * 1024;

export function createServerApp(deps: ServerDeps): Hono {
  const app = new Hono();
  app.onError(handleError);
  const answers = deps.answers ?? createAnswerCache(deps.sql);
  const cors = (deps.corsOrigins ?? []).length > 0;
  // Cached answers skip the middleware below; with CORS origins set they must pass the CORS check.
  if (!cors) app.use('/api/*', answers.fastPath);
  app.use('*', securityHeaders());
  app.use('/api/*', apiCors(deps.corsOrigins ?? []));
  if (cors) app.use('/api/*', answers.fastPath);

  app.use('/functions/v1/market-etl', rateLimit({
    limit: deps.triggerLimitPerMinute ?? 10,
    windowMs: 60_000,
    key: (c) => getConnInfo(c).remote.address ?? 'unknown',
  }));
  app.use('/functions/v1/market-etl', bodyLimit({
    maxSize: TRIGGER_BODY_LIMIT,
    onError: (c) => c.json({ error: `request body over ${TRIGGER_BODY_LIMIT} bytes` }, 413),
  }));
  app.route('/functions/v1/market-etl', etlTrigger({ secret: deps.etlSecret, run: deps.runEtl }));
  app.get('/api/stream', (c) => streamSSE(c, async (stream) => {
    const queue: LiveEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = deps.live.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    stream.onAbort(unsubscribe);
    await stream.writeSSE({ event: 'hello', data: JSON.stringify({ interval: deps.interval }) });
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
  }));
  app.route('/api', readApi({ ...deps, answers }));

  if (existsSync(WEB_DIST)) {
    app.use('/*', serveStatic({ root: path.relative(process.cwd(), WEB_DIST) }));
  } else {
    app.get('/', (c) => c.text('The dashboard is not built yet: run `npm run build`.', 503));
  }
  return app;
}
