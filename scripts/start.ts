import { serve } from '@hono/node-server';
import { ConfigError, parseConfig } from '../functions/_shared/config.ts';
import { connect } from '../functions/_shared/db.ts';
import { loggable } from '../functions/_shared/log-text.ts';
import { createAnswerCache } from '../server/answer-cache.ts';
import { createServerApp } from '../server/app.ts';
import { startHourlyTrigger } from '../server/cron-trigger.ts';
import { DATA_DIR, openDatabase } from '../server/database.ts';
import { watchDatabase } from '../server/database-health.ts';
import { etlRunner, summaryLine } from '../server/etl-runtime.ts';
import { describeFailure } from '../server/failure.ts';
import { startLiveHub } from '../server/live.ts';
import { ensureLocalSecret } from '../server/secret.ts';
import { openSource } from '../server/source.ts';
import { logStrayRejections } from '../server/stray-rejections.ts';

/** `npm start`: the whole product on one machine: database, ETL on a schedule, API, live dashboard. */

async function main(): Promise<void> {
  const simulate = process.argv.includes('--simulate');
  const config = parseConfig({ ...process.env, ...(simulate ? { MARKET_SOURCE: 'simulator' } : {}) });

  const database = await openDatabase(config.DATABASE_URL, 'market-pulse-server');
  const source = await openSource(config);
  const live = await startLiveHub(database.sql);
  // A connection of its own: a read pool busy with heavy queries must not look like a database that is away.
  const healthSql = connect(database.url, { max: 1, applicationName: 'market-pulse-health', connectTimeoutS: 2 });
  const health = watchDatabase(healthSql);
  const local = config.ETL_SECRET ? null : await ensureLocalSecret(DATA_DIR);
  const runEtl = etlRunner(database.sql, config, source);
  const runAndLog = async (trigger: string) => {
    const summary = await runEtl(trigger);
    console.log(`[etl] ${summaryLine(summary)}`);
    return summary;
  };

  // The answer cache hears commits on the live hub's own LISTEN connection (database.sql): both
  // handlers then run in the one dispatch of each announcement, the cache's drop before any client
  // can act on the broadcast. On a LISTEN of its own (the read pool's) it could hear a commit after
  // a dashboard that refetched at once, and serve it the previous answer.
  const answers = createAnswerCache(database.sql);
  const app = createServerApp({
    sql: database.readSql,
    answers,
    health,
    live,
    symbols: config.MARKET_SYMBOLS,
    interval: config.MARKET_INTERVAL,
    simulated: source.simulated,
    etlSecret: config.ETL_SECRET ?? local!.secret,
    runEtl: runAndLog,
    corsOrigins: config.CORS_ORIGINS,
    allowedHosts: config.ALLOWED_HOSTS,
  });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '127.0.0.1' }, (info) => {
    console.log(`Market Pulse dashboard: http://127.0.0.1:${info.port}/`);
    console.log(`Database: ${database.label}`);
    console.log(`Prices: ${source.simulated ? `built-in Twelve Data simulator (${source.baseUrl})` : source.baseUrl}`);
    console.log(`Symbols: ${config.MARKET_SYMBOLS.join(', ')} at ${config.MARKET_INTERVAL}`);
    if (local) console.log(`ETL trigger secret: in ${local.file} (POST /functions/v1/market-etl with header apikey)`);
  });

  void runAndLog('startup').catch((error: Error) => console.error(`[etl] start-up run failed: ${loggable(error.message)}`));
  const schedule = config.ETL_SCHEDULE === 'hourly' ? await startHourlyTrigger(database.sql, runAndLog) : { stop() {} };
  if (config.ETL_SCHEDULE === 'off') console.log('[schedule] off (ETL_SCHEDULE=off): runs at start-up and when triggered');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    schedule.stop();
    health.stop();
    server.close();
    await live.close().catch(() => {});
    await answers.close().catch(() => {});
    await source.close();
    await healthSql.end({ timeout: 1 }).catch(() => {});
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  logStrayRejections('server');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Market Pulse failed to start: ${describeFailure(error)}`);
  process.exit(1);
});
