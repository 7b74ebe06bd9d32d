/**
 * The dashboard API against real ClickHouse: exact answers over hand-made
 * rows (replayed rows included), parameter validation, an injection attempt,
 * and ClickHouse outages (503, then recovery).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../src/server';
import {
  type AlertInput,
  type CandleInput,
  countRows,
  createTestDatabase,
  insertAlerts,
  insertCandles,
  insertTicks,
  TEST_READER,
  type TestDatabase,
  type TickInput,
} from './fixtures';
import { closedPort, dashboardFor, Relay } from './server-helpers';

const at = (iso: string) => Date.parse(iso);

// 2026-01-05 is the "day" of the data; a0 is the previous day's last tick.
const a0: TickInput = { id: 'a0', symbol: 'AAPL', price: 95, volume: 1, ms: at('2026-01-04T20:00:00.000Z') };
const a1: TickInput = { id: 'a1', symbol: 'AAPL', price: 100, volume: 10, ms: at('2026-01-05T09:30:00.000Z') };
const a2: TickInput = { id: 'a2', symbol: 'AAPL', price: 101.5, volume: 20, ms: at('2026-01-05T09:30:30.250Z') };
const a3: TickInput = { id: 'a3', symbol: 'AAPL', price: 99.25, volume: 5, ms: at('2026-01-05T09:31:10.500Z') };
const a4: TickInput = { id: 'a4', symbol: 'AAPL', price: 102, volume: 15, ms: at('2026-01-05T09:32:00.000Z') };
const m1: TickInput = { id: 'm1', symbol: 'MSFT', price: 400, volume: 3, ms: at('2026-01-05T09:30:05.000Z') };
const m2: TickInput = { id: 'm2', symbol: 'MSFT', price: 404, volume: 7, ms: at('2026-01-05T09:31:59.999Z') };

const candle = (symbol: string, start: string, o: number, h: number, l: number, c: number, v: number, n: number) =>
  ({
    symbol,
    startMs: at(start),
    open: o,
    high: h,
    low: l,
    close: c,
    volume: v,
    vwap: (o + c) / 2,
    ticks: n,
  }) as CandleInput;

const aapl0930partial = candle('AAPL', '2026-01-05T09:30:00Z', 100, 100, 100, 100, 10, 1);
const aapl0930 = candle('AAPL', '2026-01-05T09:30:00Z', 100, 101.5, 100, 101.5, 30, 2);
const aapl0931 = candle('AAPL', '2026-01-05T09:31:00Z', 99.25, 99.25, 99.25, 99.25, 5, 1);
const aapl0932 = candle('AAPL', '2026-01-05T09:32:00Z', 102, 102, 102, 102, 15, 1);
const msft0930 = candle('MSFT', '2026-01-05T09:30:00Z', 400, 400, 400, 400, 3, 1);

const alert1: AlertInput = {
  symbol: 'AAPL',
  startMs: at('2026-01-05T09:30:00Z'),
  direction: 'up',
  movePct: 1.5,
  open: 100,
  close: 101.5,
  thresholdPct: 1,
};
const alert2: AlertInput = {
  symbol: 'MSFT',
  startMs: at('2026-01-05T09:31:00Z'),
  direction: 'down',
  movePct: -1.25,
  open: 404,
  close: 398.95,
  thresholdPct: 1,
};

let db: TestDatabase;
let app: DashboardServer;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertTicks(db.admin, [a0, a1, a2, a3]);
  await insertTicks(db.admin, [a4, m1, m2]);
  // A replay: the sink writes a batch again after a failure. Nothing may change.
  await insertTicks(db.admin, [a2, m2]);
  await insertCandles(db.admin, [aapl0930partial, aapl0931, msft0930]);
  // The 09:30 window fires again with more ticks (higher version), and a replayed 09:32.
  await insertCandles(db.admin, [aapl0930, aapl0932]);
  await insertCandles(db.admin, [aapl0932]);
  await insertAlerts(db.admin, [alert1, alert2]);
  await insertAlerts(db.admin, [alert2]);
  app = await dashboardFor(db);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe('GET /api/latest', () => {
  it('gives per symbol the last price and the change since the first tick of its UTC day', async () => {
    const { status, body } = await get('/api/latest');
    expect(status).toBe(200);
    expect(body).toEqual({
      asOf: '2026-01-05T09:32:00.000Z',
      symbols: [
        {
          symbol: 'AAPL',
          price: 102,
          ts: '2026-01-05T09:32:00.000Z',
          dayOpen: 100,
          dayOpenTs: '2026-01-05T09:30:00.000Z',
          change: 2,
          changePct: 2,
        },
        {
          symbol: 'MSFT',
          price: 404,
          ts: '2026-01-05T09:31:59.999Z',
          dayOpen: 400,
          dayOpenTs: '2026-01-05T09:30:05.000Z',
          change: 4,
          changePct: 1,
        },
      ],
    });
  });
});

describe('GET /api/history', () => {
  it('lists a symbol’s ticks in the window ending at the newest tick, oldest first, replays once', async () => {
    const { status, body } = await get('/api/history?symbol=AAPL&minutes=2');
    expect(status).toBe(200);
    expect(body).toEqual({
      symbol: 'AAPL',
      from: '2026-01-05T09:30:00.000Z',
      until: '2026-01-05T09:32:00.000Z',
      points: [a1, a2, a3, a4].map((t) => ({ ts: new Date(t.ms).toISOString(), price: t.price, volume: t.volume })),
    });
  });

  it('takes an explicit `until` (ISO or epoch ms) and a `limit` that keeps the newest points', async () => {
    const iso = await get('/api/history?symbol=AAPL&minutes=1&until=2026-01-05T09:31:00.000Z');
    expect((iso.body.points as unknown[]).length).toBe(2);
    expect(iso.body.from).toBe('2026-01-05T09:30:00.000Z');
    const epoch = await get(`/api/history?symbol=AAPL&minutes=1&until=${at('2026-01-05T09:31:00.000Z')}`);
    expect(epoch.body).toEqual(iso.body);
    const limited = await get('/api/history?symbol=AAPL&minutes=2&limit=2');
    expect((limited.body.points as { price: number }[]).map((p) => p.price)).toEqual([99.25, 102]);
  });

  it('answers an unknown symbol with no points', async () => {
    const { status, body } = await get('/api/history?symbol=ZZZZ');
    expect(status).toBe(200);
    expect(body.points).toEqual([]);
  });
});

describe('GET /api/recent', () => {
  it('lists the newest ticks of all symbols, newest first, each once', async () => {
    const { status, body } = await get('/api/recent?limit=3');
    expect(status).toBe(200);
    expect(body).toEqual({
      ticks: [a4, m2, a3].map((t) => ({
        id: t.id,
        symbol: t.symbol,
        price: t.price,
        volume: t.volume,
        ts: new Date(t.ms).toISOString(),
      })),
    });
    const all = await get('/api/recent?limit=100');
    expect((all.body.ticks as { id: string }[]).map((t) => t.id)).toEqual(['a4', 'm2', 'a3', 'a2', 'm1', 'a1', 'a0']);
  });
});

describe('GET /api/stats', () => {
  it('computes min/max/avg/volume/VWAP per symbol over the window, counting replayed ticks once', async () => {
    const { status, body } = await get('/api/stats?minutes=2');
    expect(status).toBe(200);
    // VWAP by hand: sum(price × volume) / sum(volume).
    const aaplVwap = (100 * 10 + 101.5 * 20 + 99.25 * 5 + 102 * 15) / (10 + 20 + 5 + 15);
    const msftVwap = (400 * 3 + 404 * 7) / (3 + 7);
    expect(aaplVwap).toBe(101.125);
    expect(body).toEqual({
      from: '2026-01-05T09:30:00.000Z',
      until: '2026-01-05T09:32:00.000Z',
      symbols: [
        {
          symbol: 'AAPL',
          ticks: 4,
          min: 99.25,
          max: 102,
          avg: 100.6875,
          volume: 50,
          vwap: aaplVwap,
          first: '2026-01-05T09:30:00.000Z',
          last: '2026-01-05T09:32:00.000Z',
        },
        {
          symbol: 'MSFT',
          ticks: 2,
          min: 400,
          max: 404,
          avg: 402,
          volume: 10,
          vwap: msftVwap,
          first: '2026-01-05T09:30:05.000Z',
          last: '2026-01-05T09:31:59.999Z',
        },
      ],
    });
  });

  it('narrows to the last minute', async () => {
    const { body } = await get('/api/stats?minutes=1');
    const symbols = body.symbols as { symbol: string; ticks: number; vwap: number; avg: number }[];
    expect(symbols.map((s) => [s.symbol, s.ticks, s.avg, s.vwap])).toEqual([
      ['AAPL', 2, 100.625, (99.25 * 5 + 102 * 15) / 20],
      ['MSFT', 1, 404, 404],
    ]);
  });
});

describe('GET /api/candles', () => {
  it('gives the newest version of each 1-minute candle of the symbol in the window', async () => {
    const { status, body } = await get('/api/candles?symbol=AAPL&minutes=2');
    expect(status).toBe(200);
    expect(body).toEqual({
      symbol: 'AAPL',
      from: '2026-01-05T09:30:00.000Z',
      until: '2026-01-05T09:32:00.000Z',
      candles: [aapl0930, aapl0931, aapl0932].map((c) => ({
        symbol: 'AAPL',
        start: new Date(c.startMs).toISOString(),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        vwap: c.vwap,
        ticks: c.ticks,
      })),
    });
  });
});

describe('GET /api/alerts', () => {
  it('lists alerts newest first, each once', async () => {
    const { status, body } = await get('/api/alerts');
    expect(status).toBe(200);
    expect(body).toEqual({
      alerts: [alert2, alert1].map((a) => ({
        symbol: a.symbol,
        start: new Date(a.startMs).toISOString(),
        direction: a.direction,
        movePct: a.movePct,
        open: a.open,
        close: a.close,
        thresholdPct: a.thresholdPct,
      })),
    });
    const one = await get('/api/alerts?limit=1');
    expect((one.body.alerts as { symbol: string }[]).map((a) => a.symbol)).toEqual(['MSFT']);
  });
});

describe('bad parameters', () => {
  it.each([
    ['/api/history?symbol=aapl', 'symbol', 'symbol: must be an upper-case ticker (A-Z, 0-9, ".", max 10)'],
    ['/api/history', 'symbol', 'symbol: must be given once, as an upper-case ticker'],
    ['/api/history?symbol=A&symbol=B', 'symbol', 'symbol: must be given once, as an upper-case ticker'],
    ['/api/candles?symbol=AAPL&minutes=0', 'minutes', 'minutes: must be an integer from 1 to 10080'],
    ['/api/stats?minutes=abc', 'minutes', 'minutes: must be an integer from 1 to 10080'],
    ['/api/stats?minutes=1.5', 'minutes', 'minutes: must be an integer from 1 to 10080'],
    ['/api/recent?limit=501', 'limit', 'limit: must be an integer from 1 to 500'],
    ['/api/alerts?limit=-1', 'limit', 'limit: must be an integer from 1 to 200'],
    [
      '/api/stats?until=yesterday',
      'until',
      'until: must be an ISO-8601 UTC time (2026-01-05T14:30:00.000Z) or epoch milliseconds',
    ],
    ['/api/latest?symbol=AAPL', 'symbol', 'symbol: is not a parameter of this route'],
  ])('%s -> 400 naming %s', async (url, parameter, message) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'Bad Request', message, parameter });
  });

  it('refuses an injection attempt in `symbol` and changes nothing', async () => {
    const before = await countRows(db.admin, 'ticks');
    for (const symbol of ["AAPL' OR 1=1 --", "AAPL'; DROP TABLE ticks; --", 'AAPL\\', "'"]) {
      const { status, body } = await get(`/api/history?symbol=${encodeURIComponent(symbol)}`);
      expect(status).toBe(400);
      expect(body.parameter).toBe('symbol');
    }
    expect(await countRows(db.admin, 'ticks')).toBe(before);
    expect((await get('/api/history?symbol=AAPL&minutes=2')).body.points).toHaveLength(4);
  });
});

describe('the read-only test reader the dashboard reads as here', () => {
  it('cannot write (the dashboard user itself: test/privilege.int.test.ts)', async () => {
    const { createClient } = await import('@clickhouse/client');
    const dashboardUser = createClient({
      url: db.config.clickhouse.url,
      username: TEST_READER.user,
      password: TEST_READER.password,
      database: db.name,
    });
    try {
      await expect(dashboardUser.command({ query: 'DROP TABLE ticks' })).rejects.toThrow(/readonly/i);
      await expect(insertTicks(dashboardUser, [{ ...a1, id: 'x' }])).rejects.toThrow(/readonly/i);
    } finally {
      await dashboardUser.close();
    }
    expect(await countRows(db.admin, 'ticks')).toBe(7);
  });
});

describe('ClickHouse down', () => {
  it('answers 503 naming ClickHouse and its URL', async () => {
    const port = await closedPort();
    const down = await dashboardFor(db, { clickhouseUrl: `http://127.0.0.1:${port}` });
    try {
      for (const url of ['/api/latest', '/api/stats', '/api/history?symbol=AAPL', '/api/candles?symbol=AAPL']) {
        const res = await down.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(503);
        const body = res.json() as Record<string, string>;
        expect(body.error).toBe('Service Unavailable');
        expect(body.service).toBe('clickhouse');
        expect(body.url).toBe(`http://127.0.0.1:${port}`);
        expect(body.message).toMatch(new RegExp(`^ClickHouse at http://127\\.0\\.0\\.1:${port} is unreachable: .+`));
      }
      // The process itself is alive.
      expect((await down.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    } finally {
      await down.close();
    }
  });

  it('recovers by itself when ClickHouse comes back', async () => {
    const target = new URL(db.config.clickhouse.url);
    const relay = new Relay(await closedPort(), { host: target.hostname, port: Number(target.port || 8123) });
    const server = await dashboardFor(db, { clickhouseUrl: `http://127.0.0.1:${relay.port}` });
    try {
      await relay.start();
      expect((await server.inject({ method: 'GET', url: '/api/latest' })).statusCode).toBe(200);
      await relay.stop();
      expect((await server.inject({ method: 'GET', url: '/api/latest' })).statusCode).toBe(503);
      await relay.start();
      const res = await server.inject({ method: 'GET', url: '/api/latest' });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { symbols: { price: number }[] }).symbols.map((s) => s.price)).toEqual([102, 404]);
    } finally {
      await server.close();
      await relay.stop();
    }
  });

  it('names a database that does not exist (migrations not applied) with a 503', async () => {
    const missing = await dashboardFor({ ...db, name: `${db.name}_missing` });
    try {
      const res = await missing.inject({ method: 'GET', url: '/api/latest' });
      expect(res.statusCode).toBe(503);
      expect((res.json() as { message: string }).message).toContain(
        `ClickHouse at ${db.config.clickhouse.url} (database ${db.name}_missing) cannot answer (run \`npm run db:migrate\`)`,
      );
    } finally {
      await missing.close();
    }
  });
});

// Last in the file: it adds a tick.
describe('answer cache', () => {
  it('reuses an answer for cacheTtlMs, then reads ClickHouse again', async () => {
    const cached = await dashboardFor(db, { cacheTtlMs: 60_000 });
    try {
      const first = (await cached.inject({ method: 'GET', url: '/api/latest' })).json() as { asOf: string };
      expect(first.asOf).toBe('2026-01-05T09:32:00.000Z');
      await insertTicks(db.admin, [
        { id: 'c1', symbol: 'NVDA', price: 130, volume: 1, ms: at('2026-01-05T09:33:00Z') },
      ]);
      const second = (await cached.inject({ method: 'GET', url: '/api/latest' })).json() as { asOf: string };
      expect(second).toEqual(first);
      // The uncached server sees the new tick at once.
      expect(((await app.inject({ method: 'GET', url: '/api/latest' })).json() as { asOf: string }).asOf).toBe(
        '2026-01-05T09:33:00.000Z',
      );
    } finally {
      await cached.close();
    }
  });
});
