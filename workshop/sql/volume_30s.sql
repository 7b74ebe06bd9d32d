-- Workshop module 4: volume per symbol per 30-second window (runs on ClickHouse 18.16 and current).
-- logic_version: the worker stamps it on every sink row (which version of the logic made it).
-- ReplacingMergeTree keyed on (symbol, window_start): a replay after a failure replaces, never adds.
CREATE TABLE IF NOT EXISTS volume_30s
(
    symbol String,
    window_start DateTime('UTC'),
    ticks UInt32,
    volume UInt64,
    max_volume UInt64,
    logic_version String DEFAULT ''
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (symbol, window_start)
