import postgres from 'postgres';
import type { Sql } from '../../functions/_shared/db.ts';

/**
 * Server-side time per SQL statement, from auto_explain (shipped with PostgreSQL): every
 * statement the connection sends reports its executor time as a LOG message, which reaches the
 * client as a notice. A statement's time includes its triggers and foreign-key checks (logging
 * those one by one would cost more than they do). Only for profiling runs: the timed runs go
 * through the product's own connection settings.
 */

export interface StatementTimes {
  /** Statement kind ("insert ssot", "select bar", ...) -> count and total ms. */
  byKind: Map<string, { count: number; ms: number }>;
}

/** "insert bar": the verb and the first market table the statement names. */
export function statementKind(text: string): string {
  const clean = text.replace(/--[^\n]*/g, ' ').trim();
  const verb = /^(with|select|insert|update|delete|analyze|create|alter)\b/i.exec(clean)?.[1]?.toLowerCase() ?? 'other';
  const table = /\bmarket\.(\w+)/.exec(clean)?.[1] ?? /\bfrom\s+(\w+)/i.exec(clean)?.[1] ?? '';
  return `${verb} ${table}`.trim();
}

/** A one-connection client whose every statement is timed; `onPlan` also receives each auto_explain message. */
export function profilingConnection(url: string, onPlan?: (message: string) => void): { sql: Sql; times: StatementTimes } {
  const times: StatementTimes = { byKind: new Map() };
  const sql = postgres(url, {
    max: 1,
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
    connection: {
      application_name: 'market-pulse-bench-profile',
      session_preload_libraries: 'auto_explain',
      'auto_explain.log_min_duration': '0',
      client_min_messages: 'log',
    },
    onnotice: (notice) => {
      onPlan?.(notice.message ?? '');
      const match = /^duration: ([\d.]+) ms\s+plan:\s*Query Text:\s*([\s\S]*)$/.exec(notice.message ?? '');
      if (!match) return;
      const [, ms, rest] = match;
      const kind = statementKind(rest!);
      const entry = times.byKind.get(kind) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += Number(ms);
      times.byKind.set(kind, entry);
    },
  });
  return { sql, times };
}
