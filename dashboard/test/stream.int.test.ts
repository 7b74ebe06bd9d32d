/**
 * /api/stream against real ClickHouse: rows inserted after a client connected
 * arrive on the stream with exact fields, replays are not pushed twice, two
 * clients share one poller, and a ClickHouse outage is announced.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../src/server';
import {
  createTestDatabase,
  insertAlerts,
  insertCandles,
  insertTicks,
  type TestDatabase,
  type TickInput,
} from './fixtures';
import { closedPort, dashboardFor, SseReader } from './server-helpers';

const at = (iso: string) => Date.parse(iso);
const seed: TickInput[] = [
  { id: 's1', symbol: 'AAPL', price: 100, volume: 1, ms: at('2026-01-05T09:30:00.000Z') },
  { id: 's2', symbol: 'MSFT', price: 400, volume: 2, ms: at('2026-01-05T09:30:01.000Z') },
];

let db: TestDatabase;
let app: DashboardServer;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertTicks(db.admin, seed);
  app = await dashboardFor(db);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('GET /api/stream', () => {
  it('pushes a tick inserted after connecting, with exact fields, once', async () => {
    const stream = await SseReader.open(`${base}/api/stream`);
    try {
      expect(stream.status).toBe(200);
      expect(await stream.next('ready')).toEqual({ newestTickTs: '2026-01-05T09:30:01.000Z' });

      const tick: TickInput = {
        id: 'n1',
        symbol: 'AAPL',
        price: 101.25,
        volume: 42,
        ms: at('2026-01-05T09:30:02.345Z'),
      };
      await insertTicks(db.admin, [tick]);
      expect(await stream.next('ticks')).toEqual([
        { id: 'n1', symbol: 'AAPL', price: 101.25, volume: 42, ts: '2026-01-05T09:30:02.345Z' },
      ]);

      // A replay of n1 and an old seed tick, then a new tick: only the new one is pushed.
      await insertTicks(db.admin, [tick, seed[0] as TickInput]);
      const next: TickInput = { id: 'n2', symbol: 'MSFT', price: 399.5, volume: 7, ms: at('2026-01-05T09:30:03.000Z') };
      await insertTicks(db.admin, [next]);
      expect(await stream.next('ticks')).toEqual([
        { id: 'n2', symbol: 'MSFT', price: 399.5, volume: 7, ts: '2026-01-05T09:30:03.000Z' },
      ]);
    } finally {
      stream.close();
    }
  });

  it('pushes new candles and alerts, and a candle again when its window fires again', async () => {
    const stream = await SseReader.open(`${base}/api/stream`);
    try {
      await stream.next('ready');
      const candle = {
        symbol: 'AAPL',
        startMs: at('2026-01-05T09:30:00Z'),
        open: 100,
        high: 101.25,
        low: 100,
        close: 101.25,
        volume: 43,
        vwap: 101.22,
        ticks: 2,
      };
      await insertCandles(db.admin, [candle]);
      expect(await stream.next('candles')).toEqual([
        {
          symbol: 'AAPL',
          start: '2026-01-05T09:30:00.000Z',
          open: 100,
          high: 101.25,
          low: 100,
          close: 101.25,
          volume: 43,
          vwap: 101.22,
          ticks: 2,
        },
      ]);
      await insertCandles(db.admin, [{ ...candle, close: 102, high: 102, volume: 50, ticks: 3 }]);
      const refired = await stream.next<{ close: number; ticks: number }[]>('candles');
      expect(refired.map((c) => [c.close, c.ticks])).toEqual([[102, 3]]);

      await insertAlerts(db.admin, [
        {
          symbol: 'AAPL',
          startMs: at('2026-01-05T09:30:00Z'),
          direction: 'up',
          movePct: 2,
          open: 100,
          close: 102,
          thresholdPct: 1,
        },
      ]);
      expect(await stream.next('alerts')).toEqual([
        {
          symbol: 'AAPL',
          start: '2026-01-05T09:30:00.000Z',
          direction: 'up',
          movePct: 2,
          open: 100,
          close: 102,
          thresholdPct: 1,
        },
      ]);
    } finally {
      stream.close();
    }
  });

  it('fans one batch out to every client and sends heartbeats', async () => {
    const streams = await Promise.all([1, 2, 3].map(() => SseReader.open(`${base}/api/stream`)));
    try {
      await Promise.all(streams.map((s) => s.next('ready')));
      await insertTicks(db.admin, [
        { id: 'f1', symbol: 'NVDA', price: 130, volume: 1, ms: at('2026-01-05T09:30:04Z') },
      ]);
      for (const s of streams) {
        expect((await s.next<{ id: string }[]>('ticks')).map((t) => t.id)).toEqual(['f1']);
      }
      // heartbeatMs is 1000 in the tests: a comment frame arrives within a few seconds.
      const deadline = Date.now() + 5000;
      while (!streams[0]?.comments.includes('ping') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(streams[0]?.comments).toContain('ping');
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('announces ClickHouse being down, naming its URL', async () => {
    const port = await closedPort();
    const down = await dashboardFor(db, { clickhouseUrl: `http://127.0.0.1:${port}` });
    await down.listen({ host: '127.0.0.1', port: 0 });
    const stream = await SseReader.open(`http://127.0.0.1:${(down.server.address() as AddressInfo).port}/api/stream`);
    try {
      const status = await stream.next<{ clickhouse: string; message: string }>('status');
      expect(status.clickhouse).toBe('down');
      expect(status.message).toMatch(new RegExp(`^ClickHouse at http://127\\.0\\.0\\.1:${port} is unreachable`));
    } finally {
      stream.close();
      await down.close();
    }
  });
});
