-- One definition of every return, computed once, here: the dashboard's cards, its comparison and
-- ranking, the read API and market.comparison all read market.returns(), so they cannot disagree.
--
-- A symbol's trading day is its date in the exchange's zone for stocks (a session belongs to its
-- local date) and the UTC date for crypto. "The close of day D" is the close of the last bar that
-- opened before local midnight ending D; on a day without a session (a weekend, a holiday: days
-- the exchange did not trade have no stored bars) that is the close of the session before it.
-- So the stored sessions are the calendar, and every lookup is one index probe.
--
-- * 1D: the last price against the close of the session before the last price's session (on a
--   Monday morning: since Friday's close; on a Sunday: Friday against Thursday for a stock).
-- * 1W, 1M, 3M, 1Y: against the close of the day that many days/months before the as-of day, or
--   of the last session before it, with the date arithmetic on the exchange's calendar (a range
--   start never moves across a clock change). YTD: against the close of 31 December. All: against
--   the first stored bar's close.
-- * The as-of day is the same instant for every symbol: the newest bar of any symbol, read in each
--   symbol's own zone; so stocks and crypto are measured over the same calendar span.
-- * A symbol whose stored history does not reach the range's start has no return for it
--   (short_history = true) rather than a return over a shorter span.
--
-- The bars are the stored ones, never a thinned chart's points.
create or replace function market.returns(
  p_symbols text[] default null,
  p_interval text default '1h',
  p_as_of timestamptz default null
) returns table (
  symbol text,
  asset_type text,
  exchange text,
  currency text,
  "interval" text,
  period text,
  time_zone text,
  as_of timestamptz,
  close double precision,
  session_date date,
  start_date date,
  base_date date,
  base_ts timestamptz,
  base_close double precision,
  change double precision,
  change_pct double precision,
  first_date date,
  short_history boolean
)
language sql
stable
set search_path = ''
as $$
  with limits as (
    select coalesce(p_as_of, 'infinity'::timestamptz) as upto
  ), assets as (
    select a.symbol, a.asset_type, a.exchange, a.currency,
           case when a.asset_type = 'crypto' then 'UTC' else a.exchange_timezone end as zone
      from market.asset as a
  ), newest as (
    select x.symbol, x.asset_type, x.exchange, x.currency, x.zone, n.ts, n.close
      from assets as x
     cross join limits
     cross join lateral (
       select s.ts, s.close from market.ssot as s
        where s.symbol = x.symbol and s.interval = p_interval and s.ts <= limits.upto
        order by s.ts desc limit 1) as n
  ), anchor as (
    -- The data's clock: the newest bar of any symbol, whichever symbols were asked for.
    select max(n.ts) as ts from newest as n
  ), wanted as (
    select n.*, (n.ts at time zone n.zone)::date as session_date,
           (anchor.ts at time zone n.zone)::date as anchor_date, f.ts as first_ts, f.close as first_close
      from newest as n
     cross join anchor
     cross join lateral (
       select s.ts, s.close from market.ssot as s
        where s.symbol = n.symbol and s.interval = p_interval
        order by s.ts limit 1) as f
     where p_symbols is null or n.symbol = any (p_symbols)
  ), ranges as (
    select w.*, r.period, r.ord,
           case r.period
             when '1D' then w.session_date - 1
             when '1W' then w.anchor_date - 7
             when '1M' then (w.anchor_date - interval '1 month')::date
             when '3M' then (w.anchor_date - interval '3 months')::date
             when '1Y' then (w.anchor_date - interval '1 year')::date
             when 'YTD' then make_date(extract(year from w.anchor_date)::integer, 1, 1) - 1
           end as start_date
      from wanted as w
     cross join (values ('1D', 1), ('1W', 2), ('1M', 3), ('3M', 4), ('1Y', 5), ('YTD', 6), ('All', 7)) as r (period, ord)
  )
  select g.symbol, g.asset_type, g.exchange, g.currency, p_interval, g.period, g.zone, g.ts, g.close,
         g.session_date, coalesce(g.start_date, (g.first_ts at time zone g.zone)::date),
         (b.ts at time zone g.zone)::date, b.ts, b.close,
         g.close - b.close, 100 * (g.close / b.close - 1),
         (g.first_ts at time zone g.zone)::date, b.ts is null
    from ranges as g
    left join lateral (
      select s.ts, s.close from market.ssot as s
       where g.start_date is not null and s.symbol = g.symbol and s.interval = p_interval
         and s.ts < ((g.start_date + 1)::timestamp at time zone g.zone)
       order by s.ts desc limit 1) as day_close on true
    cross join lateral (
      select case when g.period = 'All' then g.first_ts else day_close.ts end as ts,
             case when g.period = 'All' then g.first_close else day_close.close end as close) as b
   order by g.symbol, g.ord
$$;
comment on function market.returns(text[], text, timestamptz) is
  'The return of each symbol (all when p_symbols is null) over 1D, 1W, 1M, 3M, 1Y, YTD and All, from its bars of p_interval at or before p_as_of (null: all stored). 1D: last close against the previous session''s close. 1W/1M/3M/1Y: against the close of the day that long before the as-of day (the newest bar of any symbol, on each exchange''s own calendar), or of the last session before it; YTD: against the close of 31 December; All: against the first stored bar. Days are the exchange''s local dates for stocks, UTC dates for crypto. short_history: the history does not reach the range''s start, so there is no return.';

-- market.comparison keeps exactly its columns (a view keeps its columns when replaced)
-- and now reads the one definition; 3M, 1Y, All and every base date are in market.returns().
create or replace view market.comparison with (security_invoker = true) as
select r.symbol, r.asset_type, r.exchange, r.currency, r.interval,
       r.as_of, r.close,
       max(r.change_pct) filter (where r.period = '1D') as return_1d,
       max(r.change_pct) filter (where r.period = '1W') as return_1w,
       max(r.change_pct) filter (where r.period = '1M') as return_1m,
       max(r.change_pct) filter (where r.period = 'YTD') as return_ytd,
       max(r.base_ts) filter (where r.period = 'YTD') as ytd_base_ts
  -- Every interval the ETL can store (functions/_shared/intervals.ts).
  from (values ('1min'), ('5min'), ('15min'), ('30min'), ('45min'), ('1h'), ('2h'), ('4h'), ('8h'), ('1day'), ('1week'))
       as stored (interval)
 cross join lateral market.returns(null, stored.interval) as r
 group by r.symbol, r.asset_type, r.exchange, r.currency, r.interval, r.as_of, r.close;
comment on view market.comparison is
  'Per symbol and bar interval: the newest close and its return in percent over 1 day, 1 week, 1 month and year to date, as defined once by market.returns() (which also has 3 months, 1 year, all and every base date): 1D against the previous session''s close, the others against the close of the day that long before the as-of day (the newest bar of any symbol) on the exchange''s calendar (UTC days for crypto), or of the last session before it. Null where the stored history does not reach back that far. For prices rebased to 100, see market.rebased().';
comment on column market.comparison.interval is 'The bar interval the returns are computed from.';
comment on column market.comparison.as_of is 'Open time (UTC) of the newest bar, whose close the returns are measured to.';
comment on column market.comparison.return_1d is '100 * (close / close of the previous session - 1): the session before the newest bar''s trading day (exchange''s date for stocks, UTC date for crypto).';
comment on column market.comparison.return_1w is '100 * (close / close of the day 7 days before the as-of day, or of the last session before it - 1)';
comment on column market.comparison.return_1m is '100 * (close / close of the day 1 month before the as-of day, or of the last session before it - 1)';
comment on column market.comparison.return_ytd is '100 * (close / close of the last session of the previous year - 1); null when the history starts this year.';
comment on column market.comparison.ytd_base_ts is 'Open time (UTC) of the bar return_ytd is measured from.';

-- Readable through the Data API like the other read functions and views (market.apply_api_access() grants the same
-- again when it runs after this file; both are idempotent).
do $$
begin
  if (select count(*) from pg_catalog.pg_roles where rolname in ('anon', 'authenticated', 'service_role')) = 3 then
    grant execute on function market.returns(text[], text, timestamptz) to anon, authenticated, service_role;
    grant select on market.comparison to anon, authenticated, service_role;
  end if;
end
$$;

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
