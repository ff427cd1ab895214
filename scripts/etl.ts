import { z } from 'zod';
import { ConfigError, parseConfig } from '../functions/_shared/config.ts';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { loggable } from '../functions/_shared/log-text.ts';
import { startHourlyTrigger } from '../server/cron-trigger.ts';
import { openDatabase } from '../server/database.ts';
import { etlRunner, summaryLine } from '../server/etl-runtime.ts';
import { describeFailure } from '../server/failure.ts';
import { openSource } from '../server/source.ts';
import { logStrayRejections } from '../server/stray-rejections.ts';

/**
 * `npm run etl`: the hourly ETL in the foreground. `--once`: one run, one summary line, and
 * an exit code a scheduler can act on. `--rebuild`: recompute the SSOT from stored bars.
 */

// running (a budgeted invocation that stopped early) does not happen here: Node runs have no budget.
const EXIT_CODE: Record<RunSummary['status'], number> = { succeeded: 0, failed: 1, partial: 2, skipped: 3, running: 4 };

const args = z
  .array(
    z.enum(['--once', '--rebuild', '--simulate'], {
      error: (issue) => `unknown option ${String(issue.input)} (use --once, --rebuild or --simulate)`,
    }),
  )
  .parse(process.argv.slice(2));

async function main(): Promise<number> {
  // The foreground hourly schedule runs for days: a stray driver rejection must not end it.
  logStrayRejections('etl');
  const simulate = args.includes('--simulate');
  const config = parseConfig({ ...process.env, ...(simulate ? { MARKET_SOURCE: 'simulator' } : {}) });
  const database = await openDatabase(config.DATABASE_URL, 'market-pulse-etl');
  const source = await openSource(config);
  const runEtl = etlRunner(database.sql, config, source);
  const closeAll = async () => {
    await source.close();
    await database.close();
  };

  if (args.includes('--once') || args.includes('--rebuild')) {
    const summary = await runEtl('cli', args.includes('--rebuild') ? 'rebuild' : 'incremental');
    console.log(summaryLine(summary));
    await closeAll();
    return EXIT_CODE[summary.status];
  }

  console.log(
    `ETL scheduler: ${config.MARKET_SYMBOLS.length} symbols at ${config.MARKET_INTERVAL}, every hour on the hour, into ${database.label}`,
  );
  const runAndLog = async (trigger: string) => {
    const summary = await runEtl(trigger);
    console.log(summaryLine(summary));
    return summary;
  };
  // Where the database's pg_cron has the hourly job, it decides when; otherwise our own timer. Booked
  // before the first run, which is not waited for: a run that hangs or fails never stops the schedule.
  const schedule = await startHourlyTrigger(database.sql, runAndLog);
  void runAndLog('schedule').catch((error: Error) => console.error(`run failed: ${error.message}`));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  schedule.stop();
  await closeAll();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `etl failed: ${loggable(describeFailure(error))}`);
    process.exit(1);
  },
);
