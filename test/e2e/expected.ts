/**
 * What the stock pipeline must produce for a given set of generated records,
 * computed here from first principles (not with the pipeline's own functions),
 * so the suite checks the pipeline rather than repeating it.
 */
import { parseTick, type Tick } from '@ticker/common';
import type { AlertRow, CandleRow, TickRow } from '../../pipeline/src/stock/rows';

/** A record as the test sent it to Kafka. */
export interface SentRecord {
  key: string;
  value: string;
  timestampMs: number;
}

/** Expected rows use the tables' row shapes (types only: the values are computed here). */
export type ExpectedTick = TickRow;
export type ExpectedCandle = CandleRow;
export type ExpectedAlert = Omit<AlertRow, 'threshold_pct'>;

export interface ExpectedRejection {
  raw: string;
  reason: string;
}

export interface Expected {
  ticks: ExpectedTick[];
  candles: ExpectedCandle[];
  alerts: ExpectedAlert[];
  rejected: ExpectedRejection[];
}

const MINUTE_MS = 60_000;

/** '2026-01-05T14:30:00.125Z' -> '2026-01-05 14:30:00' (ClickHouse DateTime text, UTC). */
export function clickhouseTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The expected contents of ticks, candles_1m, alerts and rejected.
 * `closedBeforeMs`: only windows that end at or before this event time have fired.
 */
export function expectedResults(
  sent: readonly SentRecord[],
  alertThresholdPct: number,
  closedBeforeMs: number,
): Expected {
  const ticks: Tick[] = [];
  const rejected: ExpectedRejection[] = [];
  for (const record of sent) {
    // The tick schema is the one contract both sides share; whether a value is a tick is its call.
    const parsed = parseTick(record.value);
    if (parsed.ok) ticks.push(parsed.tick);
    else rejected.push({ raw: record.value, reason: parsed.reason });
  }

  const windows = new Map<string, Tick[]>();
  for (const tick of ticks) {
    const start = Math.floor(Date.parse(tick.ts) / MINUTE_MS) * MINUTE_MS;
    if (start + MINUTE_MS > closedBeforeMs) continue;
    const key = `${tick.symbol}|${start}`;
    const list = windows.get(key) ?? [];
    list.push(tick);
    windows.set(key, list);
  }

  const candles: ExpectedCandle[] = [];
  for (const [key, list] of windows) {
    const [symbol, start] = key.split('|') as [string, string];
    // Event-time order, ties by id: open is the earliest tick, close the latest.
    list.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const volume = list.reduce((sum, t) => sum + t.volume, 0);
    const notional = list.reduce((sum, t) => sum + t.price * t.volume, 0);
    const mean = list.reduce((sum, t) => sum + t.price, 0) / list.length;
    candles.push({
      symbol,
      window_start: clickhouseTime(Number(start)),
      open: list[0]!.price,
      high: Math.max(...list.map((t) => t.price)),
      low: Math.min(...list.map((t) => t.price)),
      close: list[list.length - 1]!.price,
      volume,
      vwap: volume > 0 ? notional / volume : mean,
      ticks: list.length,
    });
  }
  candles.sort(byCandleKey);

  const alerts: ExpectedAlert[] = candles
    .map((c) => ({ c, move: ((c.close - c.open) / c.open) * 100 }))
    .filter(({ move }) => Math.abs(move) >= alertThresholdPct)
    .map(({ c, move }) => ({
      symbol: c.symbol,
      window_start: c.window_start,
      direction: move >= 0 ? ('up' as const) : ('down' as const),
      move_pct: move,
      open: c.open,
      close: c.close,
    }));

  return {
    ticks: ticks
      .map((t) => ({
        id: t.id,
        symbol: t.symbol,
        price: t.price,
        volume: t.volume,
        ts: clickhouseTime(Date.parse(t.ts)),
        ts_ms: Date.parse(t.ts) % 1000,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    candles,
    alerts,
    rejected: rejected.sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0)),
  };
}

/** Sort order of candles and alerts: symbol, then window start. */
export function byCandleKey(
  a: { symbol: string; window_start: string },
  b: { symbol: string; window_start: string },
): number {
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : 0;
}
