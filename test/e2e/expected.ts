/**
 * What the stock pipeline must produce for a given set of generated records,
 * computed here from first principles (not with the pipeline's own functions),
 * so the suite checks the pipeline rather than repeating it.
 */
import { parseTick, type Tick, tickSchema } from '@ticker/common';
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
  /** The step that refused it: the source (ahead of the clock) or the parse step. */
  step: string;
}

/** The pipeline's source-side rules the oracle applies (the stock pipeline's values, stated by the test). */
export interface SourceRules {
  /** The source's name: the step of a dead letter ahead of the clock. */
  sourceStep: string;
  /** The parse step: the step of a dead letter the tick schema refuses. */
  parseStep: string;
  /** A tick whose ts is more than this ahead of `nowMs` is a dead letter. */
  maxAheadMs: number;
  /** The clock when the records were read (ticks are either far past or a day ahead: seconds do not matter). */
  nowMs: number;
}

/**
 * The id a record counts under, read as the bridge does: the `id` of a JSON object value, when it is a
 * non-empty string. Every record the scenarios send is read well within the dedupe horizon, so any
 * later record with a Kafka key and id already seen is dropped before parsing.
 */
function dedupeId(value: string): string | undefined {
  try {
    const json: unknown = JSON.parse(value);
    if (typeof json !== 'object' || json === null || Array.isArray(json) || !('id' in json)) return undefined;
    return typeof json.id === 'string' && json.id !== '' ? json.id : undefined;
  } catch {
    return undefined;
  }
}

/** The event time of a record whose `ts` is a valid tick time (the tick schema's rule), else undefined. */
function readableTs(value: string): { text: string; ms: number } | undefined {
  try {
    const json: unknown = JSON.parse(value);
    if (typeof json !== 'object' || json === null || Array.isArray(json) || !('ts' in json)) return undefined;
    const ts = tickSchema.shape.ts.safeParse(json.ts);
    return ts.success ? { text: ts.data, ms: Date.parse(ts.data) } : undefined;
  } catch {
    return undefined;
  }
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
  rules: SourceRules,
): Expected {
  const ticks: Tick[] = [];
  const rejected: ExpectedRejection[] = [];
  const seen = new Set<string>();
  for (const record of sent) {
    // 1. Ahead of the clock: a dead letter of the source, before deduplication.
    const ts = readableTs(record.value);
    if (ts !== undefined && ts.ms - rules.nowMs > rules.maxAheadMs) {
      rejected.push({
        raw: record.value,
        reason: `event time ${ts.text} is more than ${rules.maxAheadMs} ms ahead of the clock (maxAheadMs)`,
        step: rules.sourceStep,
      });
      continue;
    }
    // 2. One id, one record: the first record carrying an id counts, later ones with the same Kafka
    //    key and id are dropped.
    const id = dedupeId(record.value);
    if (id !== undefined) {
      const keyed = JSON.stringify([record.key, id]);
      if (seen.has(keyed)) continue;
      seen.add(keyed);
    }
    // 3. The tick schema is the one contract both sides share; whether a value is a tick is its call.
    const parsed = parseTick(record.value);
    if (parsed.ok) ticks.push(parsed.tick);
    else rejected.push({ raw: record.value, reason: parsed.reason, step: rules.parseStep });
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
