import { Hono } from 'hono';
import { ConfigError, parseConfig } from '../_shared/config.ts';
import { connect } from '../_shared/db.ts';
import { EDGE_DEFAULTS } from '../_shared/etl/budget.ts';
import { type EtlDeps, type RunSummary, runEtl } from '../_shared/etl/run.ts';
import { handleError } from '../_shared/http/errors.ts';
import { etlTrigger } from '../_shared/http/etl-trigger.ts';
import { loggable } from '../_shared/log-text.ts';

/**
 * The Edge Function `market-etl`: the shared ETL trigger on Supabase's Deno runtime. pg_cron's
 * hourly job POSTs here through pg_net with ETL_SECRET in the apikey header
 * (supabase/migrations/20260101014000_etl_schedule.sql); `verify_jwt = false` because that secret, not a JWT, is the check.
 */

interface EdgeRuntimeGlobal {
  waitUntil(promise: Promise<unknown>): void;
}

const env = Deno.env.toObject();
// Supabase injects SUPABASE_DB_URL, the direct connection; the ETL takes it as its DATABASE_URL.
const config = parseConfig({ ...env, DATABASE_URL: env.SUPABASE_DB_URL });
if (!config.DATABASE_URL) throw new ConfigError('SUPABASE_DB_URL is not set: Supabase sets it for deployed functions');
if (!config.ETL_SECRET) throw new ConfigError('ETL_SECRET is not set: npx supabase secrets set ETL_SECRET=<the secret stored in Vault>');
if (config.MARKET_SOURCE === 'simulator') {
  throw new ConfigError('MARKET_SOURCE=simulator runs only under Node: point TWELVE_DATA_BASE_URL at a simulator instead');
}

/** What the invocation is doing, for the log line of a killed one. */
let activity = 'idle';

// A statement may not outlive the platform's 150 s per request anyway; past 140 s the server cancels it.
const sql = connect(config.DATABASE_URL, { max: 2, applicationName: 'market-etl-edge', statementTimeoutMs: 140_000 });
const deps: EtlDeps = {
  // One connection holds the run's lock, the other does the steps (and records a failure).
  sql,
  settings: {
    symbols: config.MARKET_SYMBOLS,
    interval: config.MARKET_INTERVAL,
    creditsPerMinute: config.TWELVE_DATA_CREDITS_PER_MINUTE,
    minuteMs: config.TWELVE_DATA_MINUTE_MS,
    http: { baseUrl: config.TWELVE_DATA_BASE_URL, apiKey: config.TWELVE_DATA_API_KEY },
  },
  // An Edge Function request is killed past 2 s of CPU or 150 s of wall clock (Free): a run does
  // what fits, then asks for the next invocation the way the hourly job does (pg_net, after commit).
  budget: { wallMs: config.ETL_WALL_BUDGET_MS ?? EDGE_DEFAULTS.wallMs, cpuMs: config.ETL_CPU_BUDGET_MS ?? EDGE_DEFAULTS.cpuMs },
  continueLater: async (runId) => {
    const [request] = await sql<{ id: number }[]>`select market.request_etl() as id`;
    console.log(`[market-etl] run ${runId} continues in the next invocation (market.etl_request ${request?.id})`);
  },
  onActivity: (now) => {
    activity = now;
  },
};

// The runtime ends an invocation that exceeds its limits (or is shut down) with this event, not a
// normal return: say so, and where it was, so a killed invocation is visible in the logs. The
// run itself is safe (the step in flight rolls back; the next invocation continues the run).
globalThis.addEventListener('beforeunload', (event) => {
  const reason = (event as Event & { detail?: { reason?: unknown } }).detail?.reason;
  console.warn(`[market-etl] shutting down${reason ? ` (${String(reason)})` : ''} while ${activity}`);
});

/** Runs the ETL; for the cron job's request, records which run answered it (market.etl_schedule_history shows it). */
async function runFor(trigger: string, etlRequestId: number | null): Promise<RunSummary> {
  activity = 'starting a run';
  const summary = await runEtl(deps, trigger).finally(() => {
    activity = 'idle';
  });
  if (etlRequestId !== null) {
    await deps.sql`update market.etl_request set etl_run_id = ${summary.etl_run_id} where etl_request_id = ${etlRequestId}`.catch(
      (error: Error) =>
        console.error(`[market-etl] could not link request ${etlRequestId} to run ${summary.etl_run_id}: ${loggable(error.message)}`),
    );
  }
  return summary;
}

/** A background run has no response to carry its summary, so it goes to the function's logs. */
function logged(run: Promise<RunSummary>): Promise<void> {
  return run.then(
    (summary) => console.log(`[market-etl] ${loggable(JSON.stringify(summary), 2_000)}`),
    (error: Error) => console.error(`[market-etl] run failed: ${loggable(error.message)}`),
  );
}

const edgeRuntime = (globalThis as { EdgeRuntime?: EdgeRuntimeGlobal }).EdgeRuntime;

// The platform strips /functions/v1, so the function sees /market-etl.
const app = new Hono().basePath('/market-etl');
app.onError(handleError);
app.route(
  '/',
  etlTrigger({
    secret: config.ETL_SECRET,
    run: runFor,
    // Without EdgeRuntime (plain Deno) the response waits and carries the run's summary, as on Node.
    background: edgeRuntime && ((run) => edgeRuntime.waitUntil(logged(run))),
  }),
);

// Supabase's runtime routes requests to Deno.serve by itself; a port matters only under plain Deno (tests, local runs).
Deno.serve(Deno.env.has('PORT') ? { hostname: '127.0.0.1', port: config.PORT } : {}, app.fetch);
