-- Read functions: the one definition of what the dashboard and the HTTP/PostgREST APIs return.

-- Rows of the SSOT for some symbols in a time range, at most p_max_points per symbol.
--
-- Downsampling is min/max per time bucket, not LTTB:
-- * The chart already decimates this way: uPlot keeps min/max/first/last per pixel column once
--   a series is denser than the plot, and Grafana sizes queries to maxDataPoints, the
--   panel width, consolidating with max/min-style functions. Equal-time buckets are those
--   pixel columns; keeping each one's extremes gives the client the envelope it would have drawn
--   from every bar, at a fraction of the rows.
-- * These are OHLC bars. The spike a trader looks for is a bucket's highest high or lowest low;
--   min/max keeps both by construction, while LTTB ranks points by triangle area on one
--   value and may drop them. MinMaxLTTB relies on the same min/max preselection.
-- * It is set-based: hash aggregations over an index-only scan of (symbol, interval, ts, high,
--   low) (the primary key carries high and low: 20260101000100_market_schema, 20260101000500_read_indexes), then full rows only for the bars kept. LTTB chooses each bucket's point from
--   the previous bucket's choice, a sequential loop that SQL runs row by row.
--
-- The rule, per symbol, over the n bars in [p_from, p_to]:
-- * n <= p_max_points: every bar, unchanged.
-- * otherwise the first and the last bar, plus (p_max_points - 2) / 2 equal-time buckets over the
--   bars between them (width: the span in microseconds divided by the bucket count, plus one);
--   each bucket keeps its highest-high and its lowest-low bar (one bar when it is both). So at
--   most 2 + 2 * ((p_max_points - 2) / 2) <= p_max_points rows; fewer where buckets are empty
--   (nights and weekends of a stock) or hold a single bar.
-- * ties go to the earlier bar, so the answer is deterministic.
create or replace function market.series(
  p_symbols text[],
  p_interval text default '1h',
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_max_points integer default 1000
) returns setof market.ssot
language plpgsql
stable
set search_path = ''
as $$
declare
  buckets integer := (p_max_points - 2) / 2;
  range_from timestamptz := coalesce(p_from, '-infinity');
  range_to timestamptz := coalesce(p_to, 'infinity');
begin
  if p_max_points is null or p_max_points < 2 then
    raise exception 'p_max_points must be at least 2, got %', coalesce(p_max_points::text, 'null')
      using errcode = 'invalid_parameter_value',
            hint = 'The first and the last bar of the range are always returned.';
  end if;
  return query
  with bounds as (
    -- Per symbol: the first and last bar (two index probes) and whether the range fits the
    -- budget (counting stops at p_max_points + 1 bars).
    select wanted.symbol, first_bar.ts as first_ts, last_bar.ts as last_ts, capped.n <= p_max_points as fits,
           -- Bucket width in whole microseconds, rounded up so the newest bar stays out of an extra bucket.
           make_interval(secs => ((extract(epoch from last_bar.ts - first_bar.ts) * 1000000)::bigint
                                  / nullif(buckets, 0) + 1) / 1000000.0) as stride
      from (select distinct unnest(p_symbols) as symbol) as wanted
     cross join lateral (
       select s.ts from market.ssot as s
        where s.symbol = wanted.symbol and s.interval = p_interval and s.ts >= range_from and s.ts <= range_to
        order by s.ts limit 1) as first_bar
     cross join lateral (
       select s.ts from market.ssot as s
        where s.symbol = wanted.symbol and s.interval = p_interval and s.ts >= range_from and s.ts <= range_to
        order by s.ts desc limit 1) as last_bar
     cross join lateral (
       select count(*) as n from (
         select from market.ssot as s
          where s.symbol = wanted.symbol and s.interval = p_interval and s.ts >= range_from and s.ts <= range_to
          limit p_max_points + 1) as counted) as capped
  ), bucketed as materialized (
    -- The bars between the first and the last, each with its equal-time bucket (date_bin): an
    -- index-only scan, materialised once because the next two steps read it.
    select b.symbol, s.ts, s.high, s.low, date_bin(b.stride, s.ts, b.first_ts) as bucket
      from bounds as b
      join market.ssot as s
        on s.symbol = b.symbol and s.interval = p_interval and s.ts > b.first_ts and s.ts < b.last_ts
     where not b.fits and buckets > 0
  ), extremes as (
    select k.symbol, k.bucket, max(k.high) as high, min(k.low) as low
      from bucketed as k
     group by k.symbol, k.bucket
  ), extreme_bars as (
    -- The bar holding each bucket's highest high and the one holding its lowest low; on a tie,
    -- the earlier bar.
    select k.symbol,
           min(k.ts) filter (where k.high = e.high) as high_ts,
           min(k.ts) filter (where k.low = e.low) as low_ts
      from bucketed as k
      join extremes as e on e.symbol = k.symbol and e.bucket = k.bucket
     where k.high = e.high or k.low = e.low
     group by k.symbol, k.bucket
  ), picked as (
    select b.symbol, unnest(array[b.first_ts, b.last_ts]) as ts from bounds as b where not b.fits
    union
    select x.symbol, unnest(array[x.high_ts, x.low_ts]) from extreme_bars as x
  ), kept as (
    select p.symbol, array_agg(p.ts) as times from picked as p group by p.symbol
  )
  select s.*
    from bounds as b
    join market.ssot as s
      on s.symbol = b.symbol and s.interval = p_interval and s.ts >= b.first_ts and s.ts <= b.last_ts
   where b.fits
  union all
  -- Full rows only for the kept bars: one index scan per symbol over the list of their times.
  select s.*
    from kept as k
    cross join lateral (
      select r.* from market.ssot as r
       where r.symbol = k.symbol and r.interval = p_interval and r.ts = any (k.times)) as s
   order by symbol, ts;
end
$$;
comment on function market.series(text[], text, timestamptz, timestamptz, integer) is
  'SSOT rows for the given symbols and interval between p_from and p_to (inclusive; null = open-ended), at most p_max_points (>= 2) per symbol: all of them when they fit, otherwise the first and last bar plus the highest-high and lowest-low bar of each of (p_max_points - 2) / 2 equal-time buckets between them, ties to the earlier bar.';

-- The newest SSOT row of every symbol for an interval: the dashboard's KPI cards.
create or replace function market.latest(p_interval text default '1h')
returns setof market.ssot
language sql
stable
set search_path = ''
as $$
  select newest.*
    from market.asset as a
    cross join lateral (
      select s.*
        from market.ssot as s
       where s.symbol = a.symbol and s.interval = p_interval
       order by s.ts desc
       limit 1
    ) as newest
   order by newest.symbol
$$;
comment on function market.latest(text) is 'The newest SSOT row of every symbol for an interval.';
