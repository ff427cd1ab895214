import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../functions/_shared/db.ts';
import { loadSeries } from '../functions/_shared/etl/load.ts';
import { type BackfillResult, backfill } from './bench/backfill.ts';
import { generateSeries } from './bench/bars.ts';
import { startBenchCluster } from './bench/cluster.ts';
import { benchDashboard, formatDashboardBench } from './bench/dashboard.ts';
import { edgeCpu } from './bench/edge-cpu.ts';
import { FIXTURE_HOURS, FIXTURE_SYMBOLS, loadFixture } from './bench/fixture.ts';
import { incrementalRuns } from './bench/incremental.ts';
import { benchLoad } from './bench/load.ts';
import { formatReadPath } from './bench/read-path.ts';
import { describeMachine, type Figure, figuresTable, machineLines, markdownTable, writeResults } from './bench/report.ts';
import { seriesLatency } from './bench/series.ts';

/**
 * `npm run bench`: (a) backfill throughput, (b) an hourly incremental run, (c) market.series on
 * 10 million bars, (d) read API and live-stream load on loopback, (e) the dashboard in Chromium,
 * with (f) the read path: one page load's requests replayed by 64 clients against the product and
 * a bare server; on an embedded PostgreSQL of its own in a temporary directory. Prints the figures;
 * `npm run bench -- --write` also puts them into BENCHMARKS.md. `npm run bench -- --dashboard`
 * runs (e) and (f) alone (and writes nothing).
 */

const BACKFILL_SYMBOLS = 100;
const BACKFILL_BARS = 5_000;
const BACKFILL_REPEATS = 3;
const BENCHMARKS_MD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const log = (line: string) => console.log(line);

function breakdown(result: BackfillResult): string {
  const phases = markdownTable(
    ['backfill step (median run, wall time)', 'ms', 'share'],
    Object.entries(result.phases).map(([phase, value]) => [phase, value.toFixed(0), `${((100 * value) / result.totalMs).toFixed(0)}%`]),
  );
  const cpu = markdownTable(
    ['CPU time, BEGIN to COMMIT', 'ms', 'of wall time'],
    [
      [
        'PostgreSQL (all its processes)',
        result.cpu.postgresMs?.toFixed(0) ?? 'n/a',
        result.cpu.postgresMs === null ? '' : `${((100 * result.cpu.postgresMs) / result.totalMs).toFixed(0)}%`,
      ],
      [
        'Node (parsing done; indicators, encoding, driver)',
        result.cpu.nodeMs.toFixed(0),
        `${((100 * result.cpu.nodeMs) / result.totalMs).toFixed(0)}%`,
      ],
    ],
  );
  return `${phases}\n\n${cpu}\n\nANALYZE after the commit (not in the figure): ${result.analyseMs.toFixed(0)} ms`;
}

/** One other symbol's few bars, so the tables are not empty and the load keeps its keys. */
async function seedOtherSymbol(sql: Sql): Promise<void> {
  const [other] = generateSeries(1, 100, Date.parse('2026-11-18T21:00:00Z'));
  await sql.begin((tx) => loadSeries(tx as unknown as Sql, '1h', [{ meta: { ...other!.meta, symbol: 'SEED' }, bars: other!.bars }], null));
}

async function dashboardOnly(): Promise<void> {
  log('(e) dashboard in Chromium and (f) the read path under load');
  const dashboard = await benchDashboard({ log: (line) => log(`    ${line}`) });
  for (const line of [...formatDashboardBench(dashboard), ...(dashboard.readPath ? formatReadPath(dashboard.readPath) : [])])
    log(`    ${line}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--dashboard')) return dashboardOnly();
  const write = process.argv.includes('--write');
  const cluster = await startBenchCluster();
  try {
    const versionSql = await cluster.createDatabase('bench_meta');
    const [{ server_version: version } = { server_version: '?' }] = await versionSql<{ server_version: string }[]>`show server_version`;
    await versionSql.end();
    const machine = describeMachine(version);
    log(`Market Pulse bench\n${machineLines(machine)}\n`);

    const data = generateSeries(BACKFILL_SYMBOLS, BACKFILL_BARS, Date.parse('2026-11-18T21:00:00Z'));
    const totalBars = data.reduce((sum, s) => sum + s.bars.length, 0);

    log(
      `(a) backfill: ${BACKFILL_SYMBOLS} symbols x ${BACKFILL_BARS} hourly bars through loadSeries in one transaction, ${BACKFILL_REPEATS} times each`,
    );
    const backfills = async (label: string, seed: boolean): Promise<BackfillResult> => {
      log(`    ${label}:`);
      const loads: BackfillResult[] = [];
      for (let attempt = 0; attempt < BACKFILL_REPEATS; attempt++) {
        const name = `bench_backfill_${seed ? 'seeded' : 'empty'}_${attempt}`;
        const backfillSql = await cluster.createDatabase(name);
        if (seed) await seedOtherSymbol(backfillSql);
        const loaded = await backfill(backfillSql, data);
        await backfillSql.end();
        await cluster.dropDatabase(name);
        if (loaded.bars !== totalBars || loaded.ssotRows !== totalBars) {
          throw new Error(`backfill wrote ${loaded.bars} bars and ${loaded.ssotRows} SSOT rows, expected ${totalBars} of each`);
        }
        log(`      ${Math.round(totalBars / (loaded.totalMs / 1000)).toLocaleString('en')} bars/s (${ms(loaded.totalMs)})`);
        loads.push(loaded);
      }
      // The median run: this machine's neighbours move single runs by a third either way.
      return [...loads].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(loads.length / 2)]!;
    };
    const loaded = await backfills('into empty tables (a first run: keys built after the rows)', false);
    const throughput = totalBars / (loaded.totalMs / 1000);
    const seeded = await backfills('into tables that already hold rows (keys maintained row by row)', true);
    const seededThroughput = totalBars / (seeded.totalMs / 1000);
    const where = `Into empty tables:\n\n${breakdown(loaded)}\n\nInto tables that already hold rows:\n\n${breakdown(seeded)}`;
    log(`${where}\n`);

    log('(b) incremental hourly run, 8 symbols, runEtl against the in-process simulator');
    const incrementalSql = await cluster.createDatabase('bench_incremental');
    const incremental = await incrementalRuns(incrementalSql);
    await incrementalSql.end();
    await cluster.dropDatabase('bench_incremental');
    log(
      `    p50 ${ms(incremental.p50)}, p95 ${ms(incremental.p95)} over ${incremental.runs.length} runs; first run (5,000 bars x 8) ${ms(incremental.firstRun.ms)}\n`,
    );

    log(`(c) market.series on ${(FIXTURE_SYMBOLS * FIXTURE_HOURS).toLocaleString('en')} bars: generating the fixture`);
    const seriesSql = await cluster.createDatabase('bench_series');
    const fixtureMs = await loadFixture(seriesSql, log);
    log(`    fixture ready in ${(fixtureMs / 1000).toFixed(0)} s`);
    const series = await seriesLatency(seriesSql, cluster.url('bench_series'));
    await seriesSql.end();
    await cluster.dropDatabase('bench_series');
    log(`    ${series.points} points per query; plan of the statement inside market.series:\n${series.plan}\n`);

    const figures: Figure[] = [
      {
        measure: `(a) backfill, ${BACKFILL_SYMBOLS} x ${BACKFILL_BARS} hourly bars, parsed data to committed SSOT, empty tables (median of ${BACKFILL_REPEATS})`,
        result: `${Math.round(throughput).toLocaleString('en')} bars/s (${(loaded.totalMs / 1000).toFixed(1)} s)`,
        target: '>= 100,000 bars/s',
        met: throughput >= 100_000,
      },
      {
        measure: '(a) same, into tables that already hold rows',
        result: `${Math.round(seededThroughput).toLocaleString('en')} bars/s (${(seeded.totalMs / 1000).toFixed(1)} s)`,
        target: '',
        met: null,
      },
      {
        measure: '(b) incremental hourly run, 8 symbols, p50',
        result: ms(incremental.p50),
        target: '< 100 ms',
        met: incremental.p50 < 100,
      },
      { measure: '(b) same, p95', result: ms(incremental.p95), target: '', met: null },
      { measure: "(b) same, p50 without the simulator's own time", result: ms(incremental.p50WithoutSimulator), target: '', met: null },
      { measure: '(b) first run, 8 x 5,000 bars of history', result: ms(incremental.firstRun.ms), target: '', met: null },
      {
        measure: '(c) market.series, 1 year hourly -> 1,000 points, in the database, p50',
        result: ms(series.database.p50),
        target: '',
        met: null,
      },
      { measure: '(c) same, p95', result: ms(series.database.p95), target: '< 10 ms', met: series.database.p95 < 10 },
      {
        measure: '(c) same rows received by a client (read API query), p50 / p95',
        result: `${ms(series.client.p50)} / ${ms(series.client.p95)}`,
        target: '',
        met: null,
      },
      {
        measure: '(c) read API handler in process (JSON), p50 / p95',
        result: `${ms(series.http.p50)} / ${ms(series.http.p95)}`,
        target: '',
        met: null,
      },
      {
        measure: `(c) market.latest over ${FIXTURE_SYMBOLS} symbols, p50 / p95`,
        result: `${ms(series.latest.p50)} / ${ms(series.latest.p95)}`,
        target: '',
        met: null,
      },
    ];
    log('(d) load on loopback: read API for 20 s with 32 keep-alive clients; one commit to 1,000 live-stream clients');
    const loadSql = await cluster.createDatabase('bench_load');
    const load = await benchLoad(loadSql, { readMs: 20_000, clients: 1_000 });
    await loadSql.end();
    figures.push(
      {
        measure: '(d) read API sustained, 32 clients, 4 routes',
        result: `${Math.round(load.read.perSecond).toLocaleString('en')} req/s, p50 ${ms(load.read.p50Ms)}, p99 ${ms(load.read.p99Ms)}, ${load.read.errors} errors`,
        target: '',
        met: null,
      },
      {
        measure: '(d) one commit to 1,000 live-stream clients, p50 / p99 / last',
        result: `${load.fanout.received} received; ${ms(load.fanout.p50Ms)} / ${ms(load.fanout.p99Ms)} / ${ms(load.fanout.maxMs)}`,
        target: 'all within 1 s',
        met: load.fanout.received === load.fanout.clients && load.fanout.maxMs < 1000,
      },
    );

    log('(g) Edge Function invocations under Deno: CPU time of an hourly run of 8 symbols, and of one first-load step');
    const edge = await edgeCpu(cluster);
    const hourlyCpu = edge.hourly.map((one) => one.cpuMs).sort((a, b) => a - b);
    const hourlyMedian = hourlyCpu[Math.floor(hourlyCpu.length / 2)]!;
    const dearest = Math.max(edge.firstLoadStep.cpuMs, ...hourlyCpu);
    log(`    first-load step (4 x 5,000 bars): ${ms(edge.firstLoadStep.cpuMs)} CPU; hourly runs: ${hourlyCpu.map(ms).join(', ')} CPU\n`);
    figures.push(
      {
        measure: '(g) Edge invocation under Deno, hourly run of 8 symbols, CPU (median of 3, cold process)',
        result: ms(hourlyMedian),
        target: '< 200 ms',
        met: hourlyMedian < 200,
      },
      {
        measure: '(g) Edge invocation under Deno, one first-load step (4 symbols x 5,000 bars), CPU',
        result: ms(edge.firstLoadStep.cpuMs),
        target: '',
        met: null,
      },
      {
        measure: '(g) dearest invocation measured, CPU (Supabase allows 2 s)',
        result: ms(dearest),
        target: '< 1,500 ms',
        met: dearest < 1_500,
      },
    );

    log('(e) dashboard in Chromium: bundle, first chart with 5 years x 8 symbols, ETL commit to redraw');
    const dashboard = await benchDashboard({ log: (line) => log(`    ${line}`) });
    const dashboardLines = formatDashboardBench(dashboard);
    const readPathLines = dashboard.readPath ? formatReadPath(dashboard.readPath) : [];
    for (const line of readPathLines) log(`    ${line}`);
    for (const line of dashboardLines) log(`    ${line}`);

    const table = figuresTable(figures);
    log(table);
    if (write) {
      await writeResults(
        BENCHMARKS_MD,
        `${machineLines(machine)}\n\n${table}\n\nDashboard (e):\n\n${dashboardLines.map((line) => `- ${line.trim()}`).join('\n')}\n\nRead path (f):\n\n${readPathLines.map((line) => `- ${line}`).join('\n')}\n\nBackfill, where the time goes:\n\n${where}`,
      );
      log(`\nwritten to ${BENCHMARKS_MD}`);
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
