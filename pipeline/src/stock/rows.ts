/** Row shapes of the stocks tables (sql/001_tables.sql); keys are exactly the columns. */

/** A `ticks` row. ts is ClickHouse DateTime text in UTC, ts_ms the milliseconds within that second. */
export interface TickRow {
  id: string;
  symbol: string;
  price: number;
  volume: number;
  ts: string;
  ts_ms: number;
}

/** A `candles_1m` row: one symbol, one minute. */
export interface CandleRow {
  symbol: string;
  window_start: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  ticks: number;
}

/** An `alerts` row: the candle moved at least threshold_pct percent from open to close. */
export interface AlertRow {
  symbol: string;
  window_start: string;
  direction: 'up' | 'down';
  move_pct: number;
  open: number;
  close: number;
  threshold_pct: number;
}
