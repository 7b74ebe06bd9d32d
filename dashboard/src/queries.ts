/**
 * Every SQL statement the dashboard runs, and nothing else. Each function
 * takes validated values (see params.ts), writes them with sql.ts, runs one
 * query as the read-only user and returns typed rows.
 *
 * Replays never change an answer: `ticks` is deduplicated per tick id (LIMIT 1
 * BY id, or an inner GROUP BY id), `candles_1m` and `alerts` are read with
 * FINAL, and `daily_prices` holds only argMin/argMax/min/max states.
 *
 * Times leave ClickHouse as epoch milliseconds (toUInt64(ts) * 1000 + ts_ms),
 * so no time zone parsing happens in between.
 *
 * The present is a bound: every query that anchors a view (the newest tick or
 * candle, the stream's polls, the latest prices) ignores rows dated after
 * `nowMs`, so one row from the future (a producer with a wrong clock, a hand
 * insert) cannot move an anchor past the present or make a latency negative.
 * The pipeline already refuses ticks more than a minute ahead (docs/pipeline.md).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { sqlInt, sqlString } from './sql';

/** ClickHouse's JSON quotes 64-bit integers: accept a number or a numeric string. */
const num = z.union([z.number(), z.string().regex(/^-?[\d.e+-]+$|^-?(inf|nan)$/)]).transform(Number);

/** Runs `query` and parses every row with `row`. */
async function rows<T extends z.ZodType>(client: ClickHouseClient, query: string, row: T): Promise<z.infer<T>[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  const raw = await result.json<unknown>();
  return z.array(row).parse(raw);
}

/** A closed time window in epoch milliseconds. */
export interface Window {
  fromMs: number;
  untilMs: number;
}

/** SQL condition for `ts`/`ts_ms` in the window: whole seconds for the index, then milliseconds. */
function tickWindow(w: Window): string {
  const fromSec = Math.floor(w.fromMs / 1000);
  const untilSec = Math.floor(w.untilMs / 1000);
  return `ts >= toDateTime(${sqlInt(fromSec)}) AND ts <= toDateTime(${sqlInt(untilSec)})
    AND toUInt64(ts) * 1000 + ts_ms BETWEEN ${sqlInt(w.fromMs)} AND ${sqlInt(w.untilMs)}`;
}

/** SQL condition: a DateTime column is not after the present (whole seconds, for the index). */
function notAfter(column: string, nowMs: number): string {
  return `${column} <= toDateTime(${sqlInt(Math.floor(nowMs / 1000))})`;
}

/** SQL condition: a daily_prices day is not after the present's UTC day. */
function dayNotAfter(nowMs: number): string {
  return `day <= toDate(toDateTime(${sqlInt(Math.floor(nowMs / 1000))}))`;
}

/**
 * The newest tick time in epoch milliseconds (the "data clock"), never after `nowMs`, or null when
 * there are no ticks. Days after today are skipped; a row later today can only pull it up to now.
 */
export async function newestTickMs(client: ClickHouseClient, nowMs = Date.now()): Promise<number | null> {
  const [row] = await rows(
    client,
    `SELECT maxMerge(last_ms) AS newest_ms, count() AS days FROM daily_prices WHERE ${dayNotAfter(nowMs)}`,
    z.object({ newest_ms: num, days: num }),
  );
  return row === undefined || row.days === 0 ? null : Math.min(row.newest_ms, nowMs);
}

const latestRow = z.object({
  symbol: z.string(),
  day_open: num,
  day_open_ms: num,
  last: num,
  last_ms: num,
});
export type LatestRow = z.infer<typeof latestRow>;

/** Per symbol: the last price and the first price of that tick's UTC day (days after today skipped). */
export async function latestPrices(client: ClickHouseClient, nowMs = Date.now()): Promise<LatestRow[]> {
  return rows(
    client,
    `SELECT symbol,
            argMax(d_open, day) AS day_open,
            argMax(d_first_ms, day) AS day_open_ms,
            argMax(d_last, day) AS last,
            max(d_last_ms) AS last_ms
     FROM (
       SELECT symbol, day,
              argMinMerge(open_price) AS d_open,
              minMerge(first_ms) AS d_first_ms,
              argMaxMerge(last_price) AS d_last,
              maxMerge(last_ms) AS d_last_ms
       FROM daily_prices
       WHERE ${dayNotAfter(nowMs)}
       GROUP BY symbol, day
     )
     GROUP BY symbol
     ORDER BY symbol`,
    latestRow,
  );
}

const tickRow = z.object({ id: z.string(), symbol: z.string(), price: num, volume: num, ms: num });
export type TickRow = z.infer<typeof tickRow>;

const tickColumns = 'id, symbol, price, volume, toUInt64(ts) * 1000 + ts_ms AS ms';

/** One symbol's ticks in the window, oldest first; at most `limit`, the newest ones. */
export async function symbolHistory(
  client: ClickHouseClient,
  symbol: string,
  window: Window,
  limit: number,
): Promise<TickRow[]> {
  const newest = await rows(
    client,
    `SELECT ${tickColumns}
     FROM ticks
     WHERE symbol = ${sqlString(symbol)} AND ${tickWindow(window)}
     ORDER BY ts DESC, ts_ms DESC, id
     LIMIT 1 BY id
     LIMIT ${sqlInt(limit)}`,
    tickRow,
  );
  return newest.reverse();
}

/** The newest `limit` ticks of all symbols with a time from `sinceMs` up to the present, newest first. */
export async function recentTicks(
  client: ClickHouseClient,
  sinceMs: number,
  limit: number,
  nowMs = Date.now(),
): Promise<TickRow[]> {
  return rows(
    client,
    `SELECT ${tickColumns}
     FROM ticks
     WHERE ${tickWindow({ fromMs: sinceMs, untilMs: nowMs })}
     ORDER BY ts DESC, ts_ms DESC, id
     LIMIT 1 BY id
     LIMIT ${sqlInt(limit)}`,
    tickRow,
  );
}

/** Ticks with a time from `sinceMs` up to the present, oldest first, at most `limit` (the stream's poll). */
export async function ticksSince(
  client: ClickHouseClient,
  sinceMs: number,
  limit: number,
  nowMs = Date.now(),
): Promise<TickRow[]> {
  return rows(
    client,
    `SELECT ${tickColumns}
     FROM ticks
     WHERE ${tickWindow({ fromMs: sinceMs, untilMs: nowMs })}
     ORDER BY ts, ts_ms, id
     LIMIT 1 BY id
     LIMIT ${sqlInt(limit)}`,
    tickRow,
  );
}

const statsRow = z.object({
  symbol: z.string(),
  ticks: num,
  min: num,
  max: num,
  avg: num,
  volume: num,
  notional: num,
  first_ms: num,
  last_ms: num,
});
export type StatsRow = z.infer<typeof statsRow>;

/** Per symbol over the window: tick count, min/max/avg price, volume and notional (sum of price × volume). */
export async function windowStats(client: ClickHouseClient, window: Window): Promise<StatsRow[]> {
  // The inner GROUP BY keeps one row per tick id, so a replayed tick counts once.
  return rows(
    client,
    `SELECT symbol,
            count() AS ticks,
            min(p) AS min,
            max(p) AS max,
            avg(p) AS avg,
            sum(v) AS volume,
            sum(p * v) AS notional,
            min(t) AS first_ms,
            max(t) AS last_ms
     FROM (
       SELECT symbol, id, any(price) AS p, any(volume) AS v, any(toUInt64(ts) * 1000 + ts_ms) AS t
       FROM ticks
       WHERE ${tickWindow(window)}
       GROUP BY symbol, id
     )
     GROUP BY symbol
     ORDER BY symbol`,
    statsRow,
  );
}

const candleRow = z.object({
  symbol: z.string(),
  start_ms: num,
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
  vwap: num,
  ticks: num,
});
export type CandleRow = z.infer<typeof candleRow>;

const candleColumns = 'symbol, toUInt64(window_start) * 1000 AS start_ms, open, high, low, close, volume, vwap, ticks';

/** One symbol's 1-minute candles whose minute starts in the window, oldest first. */
export async function symbolCandles(client: ClickHouseClient, symbol: string, window: Window): Promise<CandleRow[]> {
  return rows(
    client,
    `SELECT ${candleColumns}
     FROM candles_1m FINAL
     WHERE symbol = ${sqlString(symbol)}
       AND window_start >= toDateTime(${sqlInt(Math.floor(window.fromMs / 1000))})
       AND window_start <= toDateTime(${sqlInt(Math.floor(window.untilMs / 1000))})
     ORDER BY window_start`,
    candleRow,
  );
}

/** Candles of all symbols whose minute starts from `sinceMs` up to the present (the stream's poll). */
export async function candlesSince(
  client: ClickHouseClient,
  sinceMs: number,
  nowMs = Date.now(),
): Promise<CandleRow[]> {
  return rows(
    client,
    `SELECT ${candleColumns}
     FROM candles_1m FINAL
     WHERE window_start >= toDateTime(${sqlInt(Math.floor(sinceMs / 1000))}) AND ${notAfter('window_start', nowMs)}
     ORDER BY window_start, symbol`,
    candleRow,
  );
}

/** The start of the newest candle that starts by the present, in epoch milliseconds, or null when there is none. */
export async function newestCandleMs(client: ClickHouseClient, nowMs = Date.now()): Promise<number | null> {
  const [row] = await rows(
    client,
    `SELECT toUInt64(max(window_start)) * 1000 AS newest_ms, count() AS n FROM candles_1m WHERE ${notAfter('window_start', nowMs)}`,
    z.object({ newest_ms: num, n: num }),
  );
  return row === undefined || row.n === 0 ? null : row.newest_ms;
}

const alertRow = z.object({
  symbol: z.string(),
  start_ms: num,
  direction: z.string(),
  move_pct: num,
  open: num,
  close: num,
  threshold_pct: num,
});
export type AlertRow = z.infer<typeof alertRow>;

const alertColumns =
  'symbol, toUInt64(window_start) * 1000 AS start_ms, direction, move_pct, open, close, threshold_pct';

/** The newest `limit` alerts, newest first. */
export async function recentAlerts(client: ClickHouseClient, limit: number): Promise<AlertRow[]> {
  return rows(
    client,
    `SELECT ${alertColumns}
     FROM alerts FINAL
     ORDER BY window_start DESC, symbol
     LIMIT ${sqlInt(limit)}`,
    alertRow,
  );
}

/** Alerts whose window starts from `sinceMs` up to the present, oldest first (the stream's poll). */
export async function alertsSince(client: ClickHouseClient, sinceMs: number, nowMs = Date.now()): Promise<AlertRow[]> {
  return rows(
    client,
    `SELECT ${alertColumns}
     FROM alerts FINAL
     WHERE window_start >= toDateTime(${sqlInt(Math.floor(sinceMs / 1000))}) AND ${notAfter('window_start', nowMs)}
     ORDER BY window_start, symbol`,
    alertRow,
  );
}

/** Distinct tick ids with a time in the last `seconds` of wall-clock time, per second. */
export async function ticksPerSecond(client: ClickHouseClient, nowMs: number, seconds: number): Promise<number> {
  const fromMs = nowMs - seconds * 1000;
  const [row] = await rows(
    client,
    `SELECT uniqExact(id) AS n
     FROM ticks
     WHERE ${tickWindow({ fromMs, untilMs: nowMs })}`,
    z.object({ n: num }),
  );
  return (row?.n ?? 0) / seconds;
}
