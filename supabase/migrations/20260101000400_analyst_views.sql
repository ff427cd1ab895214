-- Analyst views over the SSOT: what a question in the SQL editor usually starts from.
-- The views run with the reader's rights (security_invoker),
-- so grants and row-level security on market.ssot hold through them.

-- The trading day of a bar: its date in the exchange's zone for stocks (a session belongs to its
-- local date, whatever the UTC date), its UTC date for crypto, which trades around the clock.
create or replace view market.daily_summary with (security_invoker = true) as
with days as (
  select s.symbol, s.interval,
         (s.ts at time zone case when a.asset_type = 'crypto' then 'UTC' else a.exchange_timezone end)::date as trading_day,
         a.asset_type, a.exchange, a.currency,
         (array_agg(s.open order by s.ts))[1] as open,
         max(s.high) as high,
         min(s.low) as low,
         (array_agg(s.close order by s.ts desc))[1] as close,
         sum(s.volume) as volume,
         count(*) as bars,
         min(s.ts) as first_bar_ts,
         max(s.ts) as last_bar_ts
    from market.ssot as s
    join market.asset as a on a.symbol = s.symbol
   group by s.symbol, s.interval, 3, a.asset_id
)
select d.symbol, d.asset_type, d.exchange, d.currency, d.interval, d.trading_day,
       d.open, d.high, d.low, d.close, d.volume,
       lag(d.close) over previous_day as previous_close,
       d.close - lag(d.close) over previous_day as change,
       100 * (d.close - lag(d.close) over previous_day) / lag(d.close) over previous_day as change_pct,
       d.bars, d.first_bar_ts, d.last_bar_ts
  from days as d
window previous_day as (partition by d.symbol, d.interval order by d.trading_day);
comment on view market.daily_summary is
  'One row per symbol, bar interval and trading day (the exchange''s local date for stocks, the UTC date for crypto), aggregated from the SSOT bars of that interval. Filter on symbol and interval: the filters reach the index.';
comment on column market.daily_summary.interval is 'The bar interval the day was aggregated from (1h: from hourly bars).';
comment on column market.daily_summary.trading_day is 'The exchange''s local date for stocks, the UTC date for crypto.';
comment on column market.daily_summary.open is 'Open of the day''s first bar.';
comment on column market.daily_summary.high is 'Highest high of the day''s bars.';
comment on column market.daily_summary.low is 'Lowest low of the day''s bars.';
comment on column market.daily_summary.close is 'Close of the day''s last bar.';
comment on column market.daily_summary.volume is 'Sum of the bars'' volume; null for crypto, which has none.';
comment on column market.daily_summary.previous_close is 'Close of the previous stored trading day.';
comment on column market.daily_summary.change is 'close - previous_close';
comment on column market.daily_summary.change_pct is '100 * change / previous_close: the day-over-day change in percent.';
comment on column market.daily_summary.bars is 'How many bars the day has (7 hourly bars for a full NASDAQ session, 24 for crypto).';
comment on column market.daily_summary.first_bar_ts is 'Open time (UTC) of the day''s first bar.';
comment on column market.daily_summary.last_bar_ts is 'Open time (UTC) of the day''s last bar.';

-- Returns over fixed horizons, from the newest bar of each symbol and interval. Every lookup is
-- one index probe (the newest bar at or before a time), so the view stays cheap on any history.
-- Horizons are counted on the trading day's clock (the exchange's zone for stocks, UTC for
-- crypto), not the session's TimeZone, so every client gets the same numbers.
create or replace view market.comparison with (security_invoker = true) as
select newest.symbol, a.asset_type, a.exchange, a.currency, newest.interval,
       newest.ts as as_of, newest.close,
       100 * (newest.close / day_ago.close - 1) as return_1d,
       100 * (newest.close / week_ago.close - 1) as return_1w,
       100 * (newest.close / month_ago.close - 1) as return_1m,
       100 * (newest.close / year_start.close - 1) as return_ytd,
       year_start.ts as ytd_base_ts
  from market.asset as a
 cross join lateral (select case when a.asset_type = 'crypto' then 'UTC' else a.exchange_timezone end as name) as zone
 -- Every interval the ETL can store (functions/_shared/intervals.ts): a probe each is cheaper than
 -- finding the distinct intervals among millions of rows.
 cross join (values ('1min'), ('5min'), ('15min'), ('30min'), ('45min'), ('1h'), ('2h'), ('4h'), ('8h'), ('1day'), ('1week'))
       as stored (interval)
 cross join lateral (
   select s.symbol, s.interval, s.ts, s.close from market.ssot as s
    where s.symbol = a.symbol and s.interval = stored.interval
    order by s.ts desc limit 1) as newest
  left join lateral (
   select s.close from market.ssot as s
    where s.symbol = newest.symbol and s.interval = newest.interval and s.ts <= (newest.ts at time zone zone.name - interval '1 day') at time zone zone.name
    order by s.ts desc limit 1) as day_ago on true
  left join lateral (
   select s.close from market.ssot as s
    where s.symbol = newest.symbol and s.interval = newest.interval and s.ts <= (newest.ts at time zone zone.name - interval '7 days') at time zone zone.name
    order by s.ts desc limit 1) as week_ago on true
  left join lateral (
   select s.close from market.ssot as s
    where s.symbol = newest.symbol and s.interval = newest.interval and s.ts <= (newest.ts at time zone zone.name - interval '1 month') at time zone zone.name
    order by s.ts desc limit 1) as month_ago on true
  -- The last bar before 1 January (in the trading day's zone) closes the previous year.
  left join lateral (
   select s.ts, s.close from market.ssot as s
    where s.symbol = newest.symbol and s.interval = newest.interval
      and s.ts < (date_trunc('year', newest.ts at time zone zone.name) at time zone zone.name)
    order by s.ts desc limit 1) as year_start on true;
comment on view market.comparison is
  'Per symbol and bar interval: the newest close and its return in percent over 1 day, 1 week, 1 month and year to date. Each return compares with the close of the newest bar at or before that long ago (for year to date: the last bar before 1 January, in the exchange''s zone for stocks, UTC for crypto); null where the stored history does not reach back that far. For prices rebased to 100, see market.rebased().';
comment on column market.comparison.interval is 'The bar interval the returns are computed from.';
comment on column market.comparison.as_of is 'Open time (UTC) of the newest bar, whose close the returns are measured to.';
comment on column market.comparison.return_1d is '100 * (close / close of the newest bar at or before 1 day before as_of - 1); days and months are counted in the exchange''s zone for stocks, UTC for crypto.';
comment on column market.comparison.return_1w is '100 * (close / close of the newest bar at or before 7 days before as_of - 1)';
comment on column market.comparison.return_1m is '100 * (close / close of the newest bar at or before 1 month before as_of - 1)';
comment on column market.comparison.return_ytd is '100 * (close / close of the last bar of the previous year - 1); null when the history starts this year.';
comment on column market.comparison.ytd_base_ts is 'Open time (UTC) of the bar return_ytd is measured from.';

-- A view cannot take the start date, so rebasing is a function: every symbol's close as an
-- index that is 100 at its first bar at or after p_start.
create or replace function market.rebased(
  p_symbols text[],
  p_start timestamptz,
  p_interval text default '1h',
  p_end timestamptz default null
) returns table (symbol text, "interval" text, ts timestamptz, close double precision, rebased double precision)
language sql
stable
set search_path = ''
as $$
  select s.symbol, s.interval, s.ts, s.close,
         100 * s.close / first_value(s.close) over (partition by s.symbol order by s.ts)
    from market.ssot as s
   where s.symbol = any (p_symbols)
     and s.interval = p_interval
     and s.ts >= p_start
     and s.ts <= coalesce(p_end, 'infinity')
   order by s.symbol, s.ts
$$;
comment on function market.rebased(text[], timestamptz, text, timestamptz) is
  'Closes of the given symbols from p_start to p_end (null: to the newest bar), each rebased to 100 at its first bar at or after p_start: rebased = 100 * close / that bar''s close. Puts instruments of any price level on one scale.';
