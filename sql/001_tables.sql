-- The stocks tables. Applied by the migration command into the configured
-- database (default `stocks`); statements are idempotent (IF NOT EXISTS).
-- Must run unchanged on ClickHouse 18.16 and on the current release:
-- no DateTime64, TTL, CODEC, LowCardinality. Times are DateTime('UTC') plus a
-- millisecond column. Every table is a ReplacingMergeTree keyed on the
-- record's identity, so a replay after a failure changes no query result
-- (read with FINAL or argMax).

-- Every valid tick, once per id.
CREATE TABLE IF NOT EXISTS ticks
(
    id String,
    symbol String,
    price Float64,
    volume UInt64,
    ts DateTime('UTC'),
    ts_ms UInt16
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (symbol, ts, ts_ms, id);

-- One-minute OHLC candles per symbol. The version column `ticks` makes a late
-- re-firing of a window (more ticks) replace the earlier row.
CREATE TABLE IF NOT EXISTS candles_1m
(
    symbol String,
    window_start DateTime('UTC'),
    open Float64,
    high Float64,
    low Float64,
    close Float64,
    volume UInt64,
    vwap Float64,
    ticks UInt32
)
ENGINE = ReplacingMergeTree(ticks)
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (symbol, window_start);

-- Bad input: the raw text, why it was refused and by which step. `origin` is
-- topic/partition/offset of the Kafka record, so a replay lands on the same key.
CREATE TABLE IF NOT EXISTS rejected
(
    origin String,
    step String,
    reason String,
    raw String,
    ts DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(ts)
ORDER BY (origin, step);

-- Price-move alerts: at most one per symbol per window.
CREATE TABLE IF NOT EXISTS alerts
(
    symbol String,
    window_start DateTime('UTC'),
    direction String,
    move_pct Float64,
    open Float64,
    close Float64,
    threshold_pct Float64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (symbol, window_start);
