/**
 * The stock pipeline's logic as plain functions. Each is small and documented so that the end-to-end
 * suite can compute the same results independently from the ticks it produced.
 */
import { parseTick, type Tick } from '@ticker/common';
import {
  type Accumulated,
  type AccumulatorKit,
  formatClickHouseDateTime,
  type OrderKey,
  type Rejected,
  reject,
  type SourceRecord,
  type WindowInfo,
} from '@ticker/pipeline';
import type { AlertRow, CandleRow, TickRow } from './rows';

/** Parses and validates the raw Kafka value with the shared tick schema; invalid -> rejection with the reason. */
export function parseTickRecord(record: SourceRecord): Tick | Rejected {
  const result = parseTick(record.value);
  return result.ok ? result.tick : reject(result.reason);
}

/**
 * The `ticks` row of a tick: ts '2026-11-21T09:30:00.125Z' becomes ts '2026-11-21 09:30:00' and
 * ts_ms 125 (the tick schema guarantees the exact ISO shape).
 */
export function tickToRow(tick: Tick): TickRow {
  return {
    id: tick.id,
    symbol: tick.symbol,
    price: tick.price,
    volume: tick.volume,
    ts: `${tick.ts.slice(0, 10)} ${tick.ts.slice(11, 19)}`,
    ts_ms: Number(tick.ts.slice(20, 23)),
  };
}

/** Event-time order of tick rows: (ts, ts_ms), ties broken by id, so any input order gives one result. */
export function compareTickRows(a: TickRow, b: TickRow): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.ts_ms !== b.ts_ms) return a.ts_ms - b.ts_ms;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/**
 * The 1-minute candle of one symbol's ticks. In event-time order (see compareTickRows): open = first
 * price, close = last price, high/low = max/min price, volume = sum of volumes, ticks = count.
 * VWAP = sum(price * volume) / sum(volume), both sums accumulated in that order; when the volume is 0
 * VWAP falls back to the plain mean price. symbol and window_start come from the window.
 */
export function computeCandle(rows: TickRow[], window: WindowInfo): CandleRow {
  if (rows.length === 0) throw new Error('a candle needs at least one tick');
  const sorted = [...rows].sort(compareTickRows);
  const first = sorted[0]!;
  let high = first.price;
  let low = first.price;
  let volume = 0;
  let notional = 0;
  let priceSum = 0;
  for (const row of sorted) {
    if (row.price > high) high = row.price;
    if (row.price < low) low = row.price;
    volume += row.volume;
    notional += row.price * row.volume;
    priceSum += row.price;
  }
  return {
    symbol: window.key,
    window_start: formatClickHouseDateTime(window.start),
    open: first.price,
    high,
    low,
    close: sorted[sorted.length - 1]!.price,
    volume,
    vwap: volume > 0 ? notional / volume : priceSum / sorted.length,
    ticks: sorted.length,
  };
}

/** The candle window's ordering key: event time (ts, ts_ms), then id — compareTickRows as a key. */
export function candleOrder(row: TickRow): OrderKey {
  return [row.ts, row.ts_ms, row.id];
}

/**
 * What the candle window accumulates per tick (Flink merges these; the window never holds ticks):
 * open/close = first/last price by candleOrder, high/low = max/min price, volume and notional
 * (price * volume) and priceSum summed, ticks counted.
 */
export function candleFields(f: AccumulatorKit<TickRow>) {
  return {
    open: f.first((row) => row.price),
    close: f.last((row) => row.price),
    high: f.max((row) => row.price),
    low: f.min((row) => row.price),
    volume: f.sum((row) => row.volume),
    notional: f.sum((row) => row.price * row.volume),
    priceSum: f.sum((row) => row.price),
    ticks: f.count(),
  };
}

/** A fired candle window's accumulated fields. */
export type CandleAccumulator = Accumulated<ReturnType<typeof candleFields>>;

/**
 * The candle from a window's accumulator: the same row computeCandle gives, except that VWAP's sums
 * are added in merge order rather than event-time order (equal within floating-point rounding).
 */
export function finishCandle(acc: CandleAccumulator, window: WindowInfo): CandleRow {
  return {
    symbol: window.key,
    window_start: formatClickHouseDateTime(window.start),
    open: acc.open,
    high: acc.high,
    low: acc.low,
    close: acc.close,
    volume: acc.volume,
    vwap: acc.volume > 0 ? acc.notional / acc.volume : acc.priceSum / acc.ticks,
    ticks: acc.ticks,
  };
}

/**
 * Price-move alert: move_pct = (close - open) / open * 100; an alert when |move_pct| >= thresholdPct,
 * direction 'up' when close >= open, else 'down'. No alert -> empty list.
 */
export function priceMoveAlerts(candle: CandleRow, thresholdPct: number): AlertRow[] {
  const movePct = ((candle.close - candle.open) / candle.open) * 100;
  if (Math.abs(movePct) < thresholdPct) return [];
  return [
    {
      symbol: candle.symbol,
      window_start: candle.window_start,
      direction: candle.close >= candle.open ? 'up' : 'down',
      move_pct: movePct,
      open: candle.open,
      close: candle.close,
      threshold_pct: thresholdPct,
    },
  ];
}
