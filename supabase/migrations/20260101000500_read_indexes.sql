-- Generated from sql/005_read_indexes.sql by `npm run supabase:migrations`: edit that file, not this one.

-- Indexes for the read functions (sql/003). Safe to run any number of times.
--
-- market.series reads a whole range of one symbol's bars (a year of hourly bars is 8,760 rows) to
-- pick the highest high and lowest low of each bucket. The primary key (symbol, interval, ts)
-- finds the range, but high and low live in the table, and hourly runs lay each hour's bars of
-- every symbol side by side, so a year of one symbol sits on thousands of heap pages. Carrying
-- high and low in the index lets that pass be an index-only scan; full rows are fetched only for
-- the bars it keeps. market.latest, the analyst views' probes and the ETL's cursors use the key.
create index if not exists ssot_series_idx on market.ssot (symbol, interval, ts) include (high, low);
comment on index market.ssot_series_idx is
  'Covers market.series'' bucket pass (range by symbol, interval, ts; reads high and low) as an index-only scan.';
