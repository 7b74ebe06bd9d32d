/**
 * Retention on the real ClickHouse: a migrated database of its own, rows on both sides of the
 * cutoff in the day-partitioned tables and the month-partitioned daily_prices, then one pass.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate-lib';
import { dropExpiredPartitions } from './retention-lib';

const config = loadConfig();
const database = `retention_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const credentials = {
  url: config.clickhouse.url,
  username: config.clickhouse.user,
  password: config.clickhouse.password,
};
const client = createClient({ ...credentials, database });
// Kept: 7 days at 2026-03-15 keeps 2026-03-09 onwards.
const now = new Date('2026-03-15T10:00:00Z');
const tickDays = ['2026-03-15', '2026-03-09', '2026-03-08', '2026-03-01', '2026-01-20'];

async function count(query: string): Promise<number> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  const rows = (await result.json()) as { n: string | number }[];
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  await migrate({
    url: config.clickhouse.url,
    user: config.clickhouse.user,
    password: config.clickhouse.password,
    database,
  });
  await client.insert({
    table: 'ticks',
    format: 'JSONEachRow',
    values: tickDays.map((day, i) => ({
      id: `t${i}`,
      symbol: 'ACME',
      price: 10 + i,
      volume: 1,
      ts: `${day} 12:00:00`,
      ts_ms: 0,
    })),
  });
  await client.insert({
    table: 'candles_1m',
    format: 'JSONEachRow',
    values: ['2026-03-14', '2026-03-02'].map((day) => ({
      symbol: 'ACME',
      window_start: `${day} 12:00:00`,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      vwap: 1,
      ticks: 1,
    })),
  });
});

afterAll(async () => {
  const server = createClient(credentials);
  await server.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await server.close();
  await client.close();
});

describe('dropExpiredPartitions', () => {
  it('drops the day partitions before the cutoff and the months that ended before it', async () => {
    const result = await dropExpiredPartitions(client, database, 7, now);
    expect(result.dropped.map((d) => `${d.table} ${d.partition}`).sort()).toEqual([
      'candles_1m 20260302',
      'daily_prices 202601',
      'ticks 20260120',
      'ticks 20260301',
      'ticks 20260308',
    ]);
    expect(result.unknown).toEqual([]);
    expect(await count('SELECT count() AS n FROM ticks')).toBe(2);
    expect(await count("SELECT count() AS n FROM ticks WHERE ts >= '2026-03-09 00:00:00'")).toBe(2);
    expect(await count('SELECT count() AS n FROM candles_1m')).toBe(1);
    // March is still within the window, so its monthly partition (with 2026-03-01 in it) stays.
    expect(await count('SELECT count() AS n FROM (SELECT day FROM daily_prices GROUP BY symbol, day)')).toBe(4);

    // A second pass finds nothing more to drop.
    const again = await dropExpiredPartitions(client, database, 7, now);
    expect(again.dropped).toEqual([]);
  });
});
