/**
 * One row from the future must not poison the dashboard: with a tick and a candle dated a day ahead in
 * the tables, over real HTTP, every anchor stays at the newest row that is not in the future, the
 * future row is shown nowhere, and the end-to-end latency is not negative.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../src/server';
import {
  type CandleInput,
  createTestDatabase,
  insertCandles,
  insertTicks,
  type TestDatabase,
  type TickInput,
} from './fixtures';
import { dashboardFor, SseReader } from './server-helpers';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A minute start ten minutes before the test: the present data. */
const P = Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE;
const p1: TickInput = { id: 'p1', symbol: 'AAPL', price: 100, volume: 10, ms: P + 1_000 };
const p2: TickInput = { id: 'p2', symbol: 'AAPL', price: 101, volume: 20, ms: P + 30_000 };
const p3: TickInput = { id: 'p3', symbol: 'MSFT', price: 400, volume: 5, ms: P + 45_000 };
/** A tick a day ahead (a producer with a wrong clock, or a row written by hand). */
const future: TickInput = { id: 'f1', symbol: 'AAPL', price: 999, volume: 1, ms: Date.now() + DAY };
const candle = (startMs: number, close: number): CandleInput => ({
  symbol: 'AAPL',
  startMs,
  open: 100,
  high: close,
  low: 100,
  close,
  volume: 30,
  vwap: 100.5,
  ticks: 2,
});
const newest = new Date(p3.ms).toISOString();

let db: TestDatabase;
let app: DashboardServer;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertTicks(db.admin, [p1, p2, p3, future]);
  await insertCandles(db.admin, [candle(P, 101), candle(Math.floor(future.ms / MINUTE) * MINUTE, 999)]);
  app = await dashboardFor(db);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function get(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('a row dated a day ahead', () => {
  it('does not move /api/latest past the present', async () => {
    const body = await get('/api/latest');
    expect(body.asOf).toBe(newest);
    expect(body.symbols).toEqual([
      expect.objectContaining({ symbol: 'AAPL', price: 101, ts: new Date(p2.ms).toISOString() }),
      expect.objectContaining({ symbol: 'MSFT', price: 400, ts: newest }),
    ]);
  });

  it('anchors history, stats and candles on the newest present tick', async () => {
    const history = await get('/api/history?symbol=AAPL&minutes=60');
    expect(history.until).toBe(newest);
    expect(history.points).toEqual([
      { ts: new Date(p1.ms).toISOString(), price: 100, volume: 10 },
      { ts: new Date(p2.ms).toISOString(), price: 101, volume: 20 },
    ]);
    const stats = await get('/api/stats?minutes=60');
    expect(stats.until).toBe(newest);
    expect((stats.symbols as { symbol: string; ticks: number }[]).map((s) => [s.symbol, s.ticks])).toEqual([
      ['AAPL', 2],
      ['MSFT', 1],
    ]);
    const candles = await get('/api/candles?symbol=AAPL&minutes=60');
    expect(candles.until).toBe(newest);
    expect((candles.candles as { close: number }[]).map((c) => c.close)).toEqual([101]);
  });

  it('leaves the future tick out of /api/recent', async () => {
    const body = await get('/api/recent?limit=10');
    expect((body.ticks as { id: string }[]).map((t) => t.id)).toEqual(['p3', 'p2', 'p1']);
  });

  it('never shows a negative end-to-end latency in /api/health', async () => {
    const before = Date.now();
    const body = await get('/api/health');
    const clickhouse = body.clickhouse as { newestTickTs: string; endToEndLatencyMs: number };
    expect(clickhouse.newestTickTs).toBe(newest);
    expect(clickhouse.endToEndLatencyMs).toBeGreaterThanOrEqual(before - p3.ms);
    expect(clickhouse.endToEndLatencyMs).toBeLessThanOrEqual(Date.now() - p3.ms);
  });

  it('starts the live stream at the newest present tick and does not push the future one', async () => {
    const stream = await SseReader.open(`${base}/api/stream`);
    try {
      expect(await stream.next('ready')).toEqual({ newestTickTs: newest });
      const late: TickInput = { id: 'p4', symbol: 'AAPL', price: 102, volume: 1, ms: Date.now() - 1_000 };
      await insertTicks(db.admin, [late]);
      // The next tick pushed is the one inserted now: the stream's clock was not moved to tomorrow.
      expect(await stream.next('ticks')).toEqual([
        { id: 'p4', symbol: 'AAPL', price: 102, volume: 1, ts: new Date(late.ms).toISOString() },
      ]);
    } finally {
      stream.close();
    }
  });
});
