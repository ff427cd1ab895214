import type { Config } from '../functions/_shared/config.ts';
import type { Sql } from '../functions/_shared/db.ts';
import { type RunSummary, runEtl } from '../functions/_shared/etl/run.ts';
import { loggable } from '../functions/_shared/log-text.ts';

/** The ETL as the Node processes run it, configured from the validated environment. */

export interface Source {
  baseUrl: string;
  apiKey: string;
  /** The clock bars are judged closed by. */
  now: () => number;
}

export function etlRunner(sql: Sql, config: Config, source: Source) {
  const deps = {
    sql,
    now: source.now,
    settings: {
      symbols: config.MARKET_SYMBOLS,
      interval: config.MARKET_INTERVAL,
      creditsPerMinute: config.TWELVE_DATA_CREDITS_PER_MINUTE,
      minuteMs: config.TWELVE_DATA_MINUTE_MS,
      http: { baseUrl: source.baseUrl, apiKey: source.apiKey },
    },
  };
  return (trigger: string, mode: 'incremental' | 'rebuild' = 'incremental'): Promise<RunSummary> => runEtl(deps, trigger, mode);
}

/** One line per run for logs: what happened, never a secret. */
export function summaryLine(summary: RunSummary): string {
  const parts = [
    `run ${summary.etl_run_id} ${summary.status}`,
    `trigger=${summary.trigger}`,
    `bars=${summary.bars_upserted}`,
    `ssot_rows=${summary.ssot_rows_written}`,
    `credits=${summary.credits_used}`,
    `symbols_ok=${summary.symbols_loaded}`,
    `symbols_failed=${summary.symbols_failed}`,
    `rejected=${summary.bars_rejected}`,
    `${summary.duration_ms}ms`,
  ];
  if (summary.error) parts.push(`error="${loggable(summary.error)}"`);
  return parts.join(' ');
}
