-- Rows deleted from the SSOT (an operator or analyst cleaning up a symbol) are announced like rows
-- written: the Node server's answer cache drops what it holds and dashboards hear of the change.
-- Before, only inserts and updates were announced, and a cached answer kept listing deleted rows
-- until the next run. max_ts is the newest deleted bar. (TRUNCATE, the owner's alone, has no
-- rows to name and is not announced: restart the server after one.)
create or replace trigger ssot_deleted_announce after delete on market.ssot
  referencing old table as changed_rows
  for each statement execute function market.announce_bars();

-- The access rules (RLS, API-role grants) for what this migration changed.
select market.apply_api_access();
