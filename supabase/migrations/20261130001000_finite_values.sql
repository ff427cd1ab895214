-- No NaN and no Infinity in the stored prices, volumes or indicators, ever. The ETL already refuses
-- non-finite and absurd upstream values (functions/_shared/twelvedata/normalise.ts); these checks make
-- the database itself refuse them, whoever writes. Plain comparisons, not a function call: per row
-- they cost next to nothing on a bulk load. In PostgreSQL NaN sorts above every number, so
-- `x < 'Infinity'` excludes NaN and +Infinity, and `x > '-Infinity'` excludes -Infinity; null passes
-- (an indicator is null until enough bars exist).
--
-- Added NOT VALID, then validated: a database that already holds a bad row still gets the check
-- for every new row, and a warning says how to find the old ones.

do $$
declare
  ssot_columns constant text[] := array[
    'open', 'high', 'low', 'close', 'volume', 'change', 'change_pct', 'log_return', 'sma_20', 'sma_50',
    'ema_12', 'ema_26', 'rsi_14', 'macd', 'macd_signal', 'macd_hist', 'bb_upper', 'bb_middle', 'bb_lower',
    'volatility_20', 'rsi_avg_gain', 'rsi_avg_loss'];
  bar_columns constant text[] := array['open', 'high', 'low', 'close', 'volume'];
  target record;
  condition text;
begin
  for target in
    select * from (values ('ssot', 'ssot_finite_check', ssot_columns), ('bar', 'bar_finite_check', bar_columns))
      as t(table_name, constraint_name, columns)
  loop
    if exists (select from pg_catalog.pg_constraint
                where conname = target.constraint_name and conrelid = format('market.%I', target.table_name)::regclass) then
      continue;
    end if;
    select string_agg(format('%1$I > ''-Infinity'' and %1$I < ''Infinity''', c), ' and ')
      into condition from unnest(target.columns) as c;
    execute format('alter table market.%I add constraint %I check (%s) not valid', target.table_name, target.constraint_name, condition);
    begin
      execute format('alter table market.%I validate constraint %I', target.table_name, target.constraint_name);
    exception when check_violation then
      raise warning 'market.%: some stored rows hold NaN or Infinity; new rows are checked, old ones are not until they are fixed (% shows them)',
        target.table_name, format('select * from market.%I where not (%s)', target.table_name, condition);
    end;
  end loop;
end
$$;

comment on constraint ssot_finite_check on market.ssot is 'Prices, volume and every indicator are finite numbers or null: no NaN, no Infinity.';
comment on constraint bar_finite_check on market.bar is 'Prices and volume are finite numbers or null: no NaN, no Infinity.';

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
