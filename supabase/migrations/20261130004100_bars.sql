-- Bars at the resolution a range needs, aggregated in the database from the SSOT, so a year is
-- ~250 daily candles made of every stored hourly bar, not hourly bars picked by the thinning.
--
-- * '1h' (the stored interval): the SSOT's bars as they are, every one (what a CSV export needs).
-- * '1day': one bar per trading day: the exchange's local date for stocks (a session), the UTC
--   date for crypto, as market.daily_summary counts days.
-- * '1week': one bar per week of trading days (weeks start on Monday, local dates again).
-- ts is the bar's open: the open time of its first stored bar; open is that bar's open, close the
-- last bar's close, high/low the extremes, volume the sum (null for crypto, which has none).
create or replace function market.bars(
  p_symbols text[],
  p_resolution text default '1day',
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_interval text default '1h'
) returns table (
  symbol text,
  resolution text,
  ts timestamptz,
  open double precision,
  high double precision,
  low double precision,
  close double precision,
  volume double precision,
  bar_count integer,
  time_zone text
)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
begin
  if p_resolution is null or p_resolution not in ('1h', '1day', '1week') then
    raise exception 'p_resolution must be 1h, 1day or 1week, got %', coalesce(p_resolution, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  return query
  with rows as (
    select s.symbol, s.ts, s.open, s.high, s.low, s.close, s.volume,
           case when a.asset_type = 'crypto' then 'UTC' else a.exchange_timezone end as zone
      from market.ssot as s
      join market.asset as a on a.symbol = s.symbol
     where s.symbol = any (p_symbols) and s.interval = p_interval
       and s.ts >= coalesce(p_from, '-infinity') and s.ts <= coalesce(p_to, 'infinity')
  ), keyed as (
    select r.*,
           case p_resolution
             when '1h' then null
             when '1day' then (r.ts at time zone r.zone)::date
             else date_trunc('week', (r.ts at time zone r.zone)::date)::date
           end as bucket
      from rows as r
  )
  select k.symbol, p_resolution, k.ts, k.open, k.high, k.low, k.close, k.volume, 1, k.zone
    from keyed as k
   where p_resolution = '1h'
  union all
  select k.symbol, p_resolution, min(k.ts),
         (array_agg(k.open order by k.ts))[1], max(k.high), min(k.low),
         (array_agg(k.close order by k.ts desc))[1], sum(k.volume), count(*)::integer, k.zone
    from keyed as k
   where p_resolution <> '1h'
   group by k.symbol, k.zone, k.bucket
   order by 1, 3;
end
$$;
comment on function market.bars(text[], text, timestamptz, timestamptz, text) is
  'OHLCV bars of the given symbols at p_resolution (1h: the stored bars of p_interval; 1day: one per trading day, the exchange''s local date for stocks and the UTC date for crypto; 1week: one per Monday-started week of those days) between p_from and p_to (inclusive, null = open-ended). ts is the open time of the bar''s first stored bar; volume null for crypto.';

do $$
begin
  if (select count(*) from pg_catalog.pg_roles where rolname in ('anon', 'authenticated', 'service_role')) = 3 then
    grant execute on function market.bars(text[], text, timestamptz, timestamptz, text) to anon, authenticated, service_role;
  end if;
end
$$;

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
