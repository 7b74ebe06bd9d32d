/**
 * The documented answers are the real ones: every JSON route's answer over
 * real ClickHouse rows, and the 503 of a ClickHouse outage, parse with the
 * zod schema its route documents, with no field the document leaves out.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  alertsAnswerSchema,
  candlesAnswerSchema,
  historyAnswerSchema,
  latestAnswerSchema,
  livenessSchema,
  pipelineHealthSchema,
  recentAnswerSchema,
  statsAnswerSchema,
  unavailableSchema,
} from '../src/answers';
import type { DashboardServer } from '../src/server';
import { createTestDatabase, insertAlerts, insertCandles, insertTicks, type TestDatabase } from './fixtures';
import { closedPort, dashboardFor } from './server-helpers';

const at = (iso: string) => Date.parse(iso);

let db: TestDatabase;
let app: DashboardServer;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertTicks(db.admin, [
    { id: 'o1', symbol: 'AAPL', price: 100, volume: 10, ms: at('2026-01-05T09:30:00.000Z') },
    { id: 'o2', symbol: 'AAPL', price: 101, volume: 0, ms: at('2026-01-05T09:30:30.500Z') },
    // Only volume 0: its VWAP is null.
    { id: 'z1', symbol: 'ZERO', price: 5, volume: 0, ms: at('2026-01-05T09:30:10.000Z') },
  ]);
  await insertCandles(db.admin, [
    {
      symbol: 'AAPL',
      startMs: at('2026-01-05T09:30:00Z'),
      open: 100,
      high: 101,
      low: 100,
      close: 101,
      volume: 10,
      vwap: 100,
      ticks: 2,
    },
  ]);
  await insertAlerts(db.admin, [
    {
      symbol: 'AAPL',
      startMs: at('2026-01-05T09:30:00Z'),
      direction: 'up',
      movePct: 1,
      open: 100,
      close: 101,
      thresholdPct: 1,
    },
  ]);
  app = await dashboardFor(db);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** GETs `url`, expects `status`, and returns the body after checking the schema keeps all of it. */
async function documented(url: string, status: number, schema: z.ZodType): Promise<unknown> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, url).toBe(status);
  const body: unknown = res.json();
  // zod objects drop unknown keys: equality means every field is documented and has its documented type.
  expect(schema.parse(body), url).toEqual(body);
  return body;
}

describe('answers match the documented schemas', () => {
  // Each list holds the seeded rows, so the item schemas are exercised too.
  it.each([
    ['/api/latest', latestAnswerSchema, 'symbols', 2],
    ['/api/history?symbol=AAPL', historyAnswerSchema, 'points', 2],
    ['/api/recent', recentAnswerSchema, 'ticks', 3],
    ['/api/stats', statsAnswerSchema, 'symbols', 2],
    ['/api/candles?symbol=AAPL', candlesAnswerSchema, 'candles', 1],
    ['/api/alerts', alertsAnswerSchema, 'alerts', 1],
  ] as const)('%s', async (url, schema, list, length) => {
    const body = (await documented(url, 200, schema)) as Record<string, unknown[]>;
    expect(body[list]?.length, url).toBe(length);
  });

  it('/api/stats: vwap is a number, or null with no volume', async () => {
    const body = (await documented('/api/stats', 200, statsAnswerSchema)) as {
      symbols: { symbol: string; vwap: number | null }[];
    };
    expect(body.symbols.map((s) => [s.symbol, s.vwap])).toEqual([
      ['AAPL', 100],
      ['ZERO', null],
    ]);
  });

  it('/api/health and /healthz', async () => {
    const health = (await documented('/api/health', 200, pipelineHealthSchema)) as { pipeline: string };
    expect(health.pipeline).toBe(db.config.pipeline.name);
    expect(await documented('/healthz', 200, livenessSchema)).toEqual({ status: 'ok' });
  });

  it('the 503 of a ClickHouse outage', async () => {
    const port = await closedPort();
    const down = await dashboardFor(db, { clickhouseUrl: `http://127.0.0.1:${port}` });
    try {
      const res = await down.inject({ method: 'GET', url: '/api/recent' });
      expect(res.statusCode).toBe(503);
      const body: unknown = res.json();
      expect(unavailableSchema.parse(body)).toEqual(body);
    } finally {
      await down.close();
    }
  });
});
