-- Which version of the pipeline's logic made each row (issue 21): the worker
-- stamps `logic_version` on every row it sends to a sink, so results from
-- before and after a live reload of the logic can be told apart. Rows written
-- before this column existed read ''.
--
-- Must run unchanged on ClickHouse 18.16 and on the current release, and run
-- again without effect. 18.16 has no ADD COLUMN IF NOT EXISTS, so the
-- migration runner (scripts/db/migrate-lib.ts) skips an ALTER TABLE ... ADD
-- COLUMN whose column the table already has (it reads system.columns).

ALTER TABLE ticks ADD COLUMN logic_version String DEFAULT '';

ALTER TABLE candles_1m ADD COLUMN logic_version String DEFAULT '';

ALTER TABLE alerts ADD COLUMN logic_version String DEFAULT '';
