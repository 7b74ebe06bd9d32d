-- Dead letters with their raw input bounded (issue 14): `raw` holds at most
-- 64 KiB of the input (base64 when the bytes are not UTF-8, see raw_encoding),
-- raw_bytes and raw_sha256 describe the whole input. Must run unchanged on
-- ClickHouse 18.16 and on the current release, and run again without effect.
--
-- Why a table of its own and not three new columns on `rejected`: ClickHouse
-- 18.16 has no ALTER TABLE ... ADD COLUMN IF NOT EXISTS (a syntax error there)
-- and a plain ADD COLUMN fails the second time, so no ALTER can be idempotent
-- on both. The pipeline's dead-letter target is `dead_letters`; the view below
-- copies every row's contract columns into `rejected` in the same insert, so
-- `rejected` (what the dashboard and the tests read) keeps filling as before.

CREATE TABLE IF NOT EXISTS dead_letters
(
    origin String,
    step String,
    reason String,
    raw String,
    raw_bytes UInt64,
    raw_sha256 String,
    raw_encoding String,
    ts DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (origin, step);

CREATE MATERIALIZED VIEW IF NOT EXISTS dead_letters_to_rejected TO rejected AS
SELECT origin, step, reason, raw, ts
FROM dead_letters;
