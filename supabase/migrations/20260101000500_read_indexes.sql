-- Indexes for the read functions (migration 20260101000300_read_api).
--
-- market.series reads a whole range of one symbol's bars (a year of hourly bars is 8,760 rows) to
-- pick the highest high and lowest low of each bucket. The primary key (symbol, interval, ts)
-- finds the range, but hourly runs lay each hour's bars of every symbol side by side, so a year of
-- one symbol sits on thousands of heap pages. The key therefore carries high and low
-- (`include (high, low)`, 20260101000100_market_schema): the bucket pass is an index-only scan, and full rows are
-- fetched only for the bars it keeps. market.latest, the analyst views' probes and the ETL's
-- cursors use the same key.

comment on index market.ssot_pkey is
  'One SSOT row per (symbol, interval, ts); carries high and low so market.series'' bucket pass is an index-only scan.';
