-- Read functions: the one definition of what the dashboard and the HTTP/PostgREST APIs return.

-- Rows of the SSOT for some symbols in a time range, at most p_max_points per symbol.
-- Past that, the range is cut into p_max_points equal time buckets and each bucket keeps
-- its last bar (its closing price), so the client never holds more points than it can draw.
create or replace function market.series(
  p_symbols text[],
  p_interval text default '1h',
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_max_points integer default 1000
) returns setof market.ssot
language sql
stable
set search_path = ''
as $$
  with ranged as (
    select s.*,
           count(*) over (partition by s.symbol) as n,
           min(s.ts) over (partition by s.symbol) as first_ts,
           max(s.ts) over (partition by s.symbol) as last_ts
      from market.ssot as s
     where s.symbol = any (p_symbols)
       and s.interval = p_interval
       and (p_from is null or s.ts >= p_from)
       and (p_to is null or s.ts <= p_to)
  ), bucketed as (
    select r.*,
           case when r.n <= greatest(p_max_points, 1) then r.ts::text
                else width_bucket(extract(epoch from r.ts), extract(epoch from r.first_ts),
                                  extract(epoch from r.last_ts) + 1, greatest(p_max_points, 1))::text
           end as bucket
      from ranged as r
  ), picked as (
    select distinct on (b.symbol, b.bucket) b.*
      from bucketed as b
     order by b.symbol, b.bucket, b.ts desc
  )
  select p.symbol, p.asset_type, p.exchange, p.currency, p.interval, p.ts, p.open, p.high, p.low,
         p.close, p.volume, p.change, p.change_pct, p.log_return, p.sma_20, p.sma_50, p.ema_12,
         p.ema_26, p.rsi_14, p.macd, p.macd_signal, p.macd_hist, p.bb_upper, p.bb_middle,
         p.bb_lower, p.volatility_20, p.rsi_avg_gain, p.rsi_avg_loss, p.etl_run_id, p.last_update
    from picked as p
   order by p.symbol, p.ts
$$;
comment on function market.series(text[], text, timestamptz, timestamptz, integer) is
  'SSOT rows for the given symbols and interval between p_from and p_to (inclusive), downsampled on the server to at most p_max_points per symbol.';

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
