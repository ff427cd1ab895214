-- Generated from sql/005_read_indexes.sql by `npm run supabase:migrations`: edit that file, not this one.

-- Indexes for the read functions (sql/003). Safe to run any number of times.
--
-- market.series reads a whole range of one symbol's bars (a year of hourly bars is 8,760 rows) to
-- pick the highest high and lowest low of each bucket. The primary key (symbol, interval, ts)
-- finds the range, but hourly runs lay each hour's bars of every symbol side by side, so a year of
-- one symbol sits on thousands of heap pages. The key therefore carries high and low
-- (`include (high, low)`, sql/001): the bucket pass is an index-only scan, and full rows are
-- fetched only for the bars it keeps. market.latest, the analyst views' probes and the ETL's
-- cursors use the same key.
--
-- Earlier versions kept a second index, ssot_series_idx, for the bucket pass. Every loaded row paid
-- for both indexes, about a quarter of a bulk load's time; databases made then get the covering key
-- here (a one-off rebuild of the key) and lose the second index.
do $covering$
begin
  if exists (
    select from pg_index as i
     where i.indexrelid = 'market.ssot_pkey'::regclass and i.indnatts = i.indnkeyatts
  ) then
    alter table market.ssot
      drop constraint ssot_pkey,
      add constraint ssot_pkey primary key (symbol, interval, ts) include (high, low);
  end if;
end
$covering$;
drop index if exists market.ssot_series_idx;
comment on index market.ssot_pkey is
  'One SSOT row per (symbol, interval, ts); carries high and low so market.series'' bucket pass is an index-only scan.';
