-- What the dashboard reads besides the base tables (sql/001_tables.sql).
-- Must run unchanged on ClickHouse 18.16 and on the current release.

-- Per symbol and UTC day: the day's first price (the "open" the change is
-- measured from), the last price, and the times of both (epoch milliseconds).
-- Only argMin/argMax/min/max states: merging the same tick twice gives the
-- same result, so a replayed insert into `ticks` changes nothing here.
-- Ties on the millisecond are broken by the tick id, so the answer never
-- depends on merge order. Read with the -Merge combinators and GROUP BY.
CREATE TABLE IF NOT EXISTS daily_prices
(
    symbol String,
    day Date,
    open_price AggregateFunction(argMin, Float64, Tuple(UInt64, String)),
    last_price AggregateFunction(argMax, Float64, Tuple(UInt64, String)),
    first_ms AggregateFunction(min, UInt64),
    last_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (symbol, day);

-- Fills daily_prices from every insert into ticks. It sees only rows inserted
-- after it exists; to backfill an older database run once (idempotent):
--   INSERT INTO daily_prices SELECT symbol, toDate(ts), argMinState(price, (toUInt64(ts) * 1000 + ts_ms, id)),
--   argMaxState(price, (toUInt64(ts) * 1000 + ts_ms, id)), minState(toUInt64(ts) * 1000 + ts_ms),
--   maxState(toUInt64(ts) * 1000 + ts_ms) FROM ticks GROUP BY symbol, toDate(ts)
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_prices_mv TO daily_prices AS
SELECT
    symbol,
    toDate(ts) AS day,
    argMinState(price, (toUInt64(ts) * 1000 + ts_ms, id)) AS open_price,
    argMaxState(price, (toUInt64(ts) * 1000 + ts_ms, id)) AS last_price,
    minState(toUInt64(ts) * 1000 + ts_ms) AS first_ms,
    maxState(toUInt64(ts) * 1000 + ts_ms) AS last_ms
FROM ticks
GROUP BY symbol, day;
