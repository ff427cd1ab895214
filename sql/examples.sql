-- Market Pulse: example queries. Each statement runs as it is in the Supabase SQL editor, psql or
-- any client (run one at a time to see each result). Not a migration: server/migrate.ts applies
-- only sql/NNN_name.sql files. Dates are relative to the newest stored bar, not to now(), so the
-- examples answer the same way on a database that was loaded a while ago.

-- Latest prices: the newest hourly bar of every symbol, with its change from the bar before.
select symbol, asset_type, ts, close, change_pct
  from market.latest('1h')
 order by symbol;

-- Daily summary: the last ten trading days of AAPL (New York days) and BTC/USD (UTC days).
select symbol, trading_day, open, high, low, close, volume, change_pct, bars
  from market.daily_summary
 where symbol in ('AAPL', 'BTC/USD') and interval = '1h'
 order by symbol, trading_day desc
 limit 20;

-- Comparison: returns in percent over 1 day, 1 week, 1 month and year to date (market.returns defines them), best month first.
select symbol, as_of, close,
       round(return_1d::numeric, 2) as return_1d,
       round(return_1w::numeric, 2) as return_1w,
       round(return_1m::numeric, 2) as return_1m,
       round(return_ytd::numeric, 2) as return_ytd
  from market.comparison
 where interval = '1h'
 order by return_1m desc nulls last;

-- Rebased: AAPL, MSFT and BTC/USD on one scale, 100 at the start of the last 30 days; the last
-- value of each (UTC) day.
select distinct on (symbol, ts::date) symbol, ts::date as day, round(rebased::numeric, 2) as rebased
  from market.rebased(array['AAPL', 'MSFT', 'BTC/USD'],
                      (select max(ts) from market.ssot where interval = '1h') - interval '30 days',
                      '1h')
 order by symbol, ts::date, ts desc;

-- Overbought: hourly bars of the last 30 days where RSI 14 crossed above 70.
select symbol, ts, close, round(rsi_14::numeric, 1) as rsi_14
  from (select symbol, ts, close, rsi_14,
               lag(rsi_14) over (partition by symbol order by ts) as previous_rsi
          from market.ssot
         where interval = '1h'
           and ts > (select max(ts) from market.ssot where interval = '1h') - interval '30 days') as bars
 where rsi_14 > 70 and previous_rsi <= 70
 order by ts desc, symbol;

-- Golden cross: hourly bars where SMA 20 crossed above SMA 50, newest first.
select symbol, ts, close, sma_20, sma_50
  from (select symbol, ts, close, sma_20, sma_50,
               lag(sma_20) over (partition by symbol order by ts) as previous_sma_20,
               lag(sma_50) over (partition by symbol order by ts) as previous_sma_50
          from market.ssot
         where interval = '1h') as bars
 where sma_20 > sma_50 and previous_sma_20 <= previous_sma_50
 order by ts desc, symbol
 limit 20;

-- Volatility ranking: the stdev of hourly log returns over the last 30 days, most volatile first,
-- next to the latest 20-bar volatility_20 from the SSOT.
select s.symbol,
       rank() over (order by stddev_samp(s.log_return) desc) as rank,
       round(stddev_samp(s.log_return)::numeric, 5) as volatility_30d,
       round(latest.volatility_20::numeric, 5) as volatility_20,
       count(*) as bars
  from market.ssot as s
  join market.latest('1h') as latest on latest.symbol = s.symbol
 where s.interval = '1h'
   and s.ts > (select max(ts) from market.ssot where interval = '1h') - interval '30 days'
 group by s.symbol, latest.volatility_20
 order by rank;

-- A chart's worth of points: BTC/USD over its whole stored history, reduced on the server to at
-- most 200 bars that keep every bucket's high and low.
select ts, open, high, low, close
  from market.series(array['BTC/USD'], '1h', null, null, 200)
 order by ts;

-- Freshness: the last ten ETL runs, how they ended and what they wrote.
select etl_run_id, started_at, finished_at - started_at as took, status, trigger, bars_upserted, credits_used, error
  from market.etl_run
 order by etl_run_id desc
 limit 10;
