-- Runs in steps. One logical run (market.etl_run) brings every configured symbol up to date; it is
-- done in steps of a few symbols, each committed on its own with its bars, SSOT rows and its row
-- here, so no transaction waits on the network and an invocation killed at any point loses at
-- most the step in flight. An Edge Function invocation does as many steps as fit its CPU and
-- wall-clock budget; the next invocation carries on with the symbols no committed step settled.

-- The symbols the run set out to bring up to date (null: runs from before steps, and rebuilds).
alter table market.etl_run add column if not exists symbols text[];
-- How many invocations (function calls, processes) worked on the run.
alter table market.etl_run add column if not exists invocations integer not null default 0;
comment on column market.etl_run.symbols is 'The symbols this run brings up to date; market.etl_step says which steps settled which.';
comment on column market.etl_run.invocations is 'How many invocations worked on this run: more than one when it continued where a budget or a killed process stopped it.';

create table if not exists market.etl_step (
  etl_run_id bigint not null constraint etl_step_etl_run_id_fkey references market.etl_run (etl_run_id) on delete cascade,
  step integer not null,
  -- The invocation that did it (1 = the run's first).
  invocation integer not null,
  -- When its first request to Twelve Data went out: later invocations pace credits from it.
  fetched_at timestamptz not null,
  committed_at timestamptz not null default clock_timestamp(),
  -- Every symbol this step settled: loaded, or failed for this run (details.failures says why).
  symbols text[] not null,
  bars_upserted integer not null default 0,
  ssot_rows_written integer not null default 0,
  credits_used integer not null default 0,
  details jsonb not null default '{}'::jsonb,
  constraint etl_step_pkey primary key (etl_run_id, step)
);
comment on table market.etl_step is 'One row per committed step of an ETL run: the symbols it settled, what it wrote and spent. Committed with the step''s bars, so it is the run''s progress.';
alter table market.etl_step enable row level security;
revoke all on market.etl_step from public;

-- The function links each cron request to its run; looking a request up by run, and deleting old
-- runs, would otherwise scan the requests.
create index if not exists etl_request_etl_run_id_idx on market.etl_request (etl_run_id);

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
