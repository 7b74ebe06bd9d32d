/**
 * Test and benchmark data for the dashboard: a database of its own (migrated
 * with the stack's migrate()), row writers in the shape the pipeline writes,
 * and a deterministic market generator (random walk, candles, alerts).
 */
import { randomBytes } from 'node:crypto';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { type Config, loadConfig } from '@ticker/common';
import { migrate } from '../../scripts/db/migrate-lib';

export interface TickInput {
  id: string;
  symbol: string;
  price: number;
  volume: number;
  /** Epoch milliseconds. */
  ms: number;
}

export interface CandleInput {
  symbol: string;
  /** Minute start, epoch milliseconds. */
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  ticks: number;
}

export interface AlertInput {
  symbol: string;
  startMs: number;
  direction: 'up' | 'down';
  movePct: number;
  open: number;
  close: number;
  thresholdPct: number;
}

/**
 * The test-only look-alike of the dashboard's ClickHouse user (sql/users.d/dashboard-test.xml): the
 * same read-only profile, but it may read the throwaway databases the suites create, which the
 * real user (confined to `stocks`) may not.
 */
export const TEST_READER = { user: 'dashboard_test', password: 'dashboard_test' } as const;

/** The environment that makes a dashboard process read as TEST_READER. */
export const TEST_READER_ENV = {
  DASHBOARD_CLICKHOUSE_USER: TEST_READER.user,
  DASHBOARD_CLICKHOUSE_PASSWORD: TEST_READER.password,
} as const;

export interface TestDatabase {
  name: string;
  config: Config;
  /** Writes as the admin user (the dashboard user cannot). */
  admin: ClickHouseClient;
  drop(): Promise<void>;
}

/** Creates and migrates `<prefix>_<random>`; drop() removes it. */
export async function createTestDatabase(prefix = 'test_dashboard'): Promise<TestDatabase> {
  const config = loadConfig();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const { url, user, password } = config.clickhouse;
  await migrate({ url, user, password, database: name });
  const admin = createClient({ url, username: user, password, database: name });
  return {
    name,
    config,
    admin,
    async drop() {
      await admin.command({ query: `DROP DATABASE IF EXISTS ${name}` });
      await admin.close();
    },
  };
}

/** "YYYY-MM-DD hh:mm:ss" in UTC, the DateTime text ClickHouse 18.16 accepts in JSONEachRow. */
export function chDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Inserts ticks the way the bridge does (JSONEachRow, every column given). */
export async function insertTicks(client: ClickHouseClient, ticks: TickInput[]): Promise<void> {
  if (ticks.length === 0) return;
  await client.insert({
    table: 'ticks',
    format: 'JSONEachRow',
    values: ticks.map((t) => ({
      id: t.id,
      symbol: t.symbol,
      price: t.price,
      volume: t.volume,
      ts: chDateTime(t.ms),
      ts_ms: t.ms % 1000,
    })),
  });
}

export async function insertCandles(client: ClickHouseClient, candles: CandleInput[]): Promise<void> {
  if (candles.length === 0) return;
  await client.insert({
    table: 'candles_1m',
    format: 'JSONEachRow',
    values: candles.map((c) => ({
      symbol: c.symbol,
      window_start: chDateTime(c.startMs),
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      vwap: c.vwap,
      ticks: c.ticks,
    })),
  });
}

export async function insertAlerts(client: ClickHouseClient, alerts: AlertInput[]): Promise<void> {
  if (alerts.length === 0) return;
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: alerts.map((a) => ({
      symbol: a.symbol,
      window_start: chDateTime(a.startMs),
      direction: a.direction,
      move_pct: a.movePct,
      open: a.open,
      close: a.close,
      threshold_pct: a.thresholdPct,
    })),
  });
}

/** Number of distinct rows in `table` (FINAL: stable while background merges run). */
export async function countRows(client: ClickHouseClient, table: string): Promise<number> {
  const result = await client.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/** 1-minute candles computed from ticks, as the pipeline computes them. */
export function candlesFromTicks(ticks: TickInput[]): CandleInput[] {
  const groups = new Map<string, TickInput[]>();
  for (const t of ticks) {
    const startMs = t.ms - (t.ms % 60_000);
    const key = `${t.symbol}|${startMs}`;
    const group = groups.get(key) ?? [];
    group.push(t);
    groups.set(key, group);
  }
  return [...groups.entries()].map(([key, group]) => {
    const sorted = [...group].sort((a, b) => a.ms - b.ms);
    const [symbol, start] = key.split('|') as [string, string];
    const volume = sorted.reduce((s, t) => s + t.volume, 0);
    const notional = sorted.reduce((s, t) => s + t.price * t.volume, 0);
    const first = sorted[0] as TickInput;
    const last = sorted.at(-1) as TickInput;
    return {
      symbol,
      startMs: Number(start),
      open: first.price,
      high: Math.max(...sorted.map((t) => t.price)),
      low: Math.min(...sorted.map((t) => t.price)),
      close: last.price,
      volume,
      vwap: volume === 0 ? 0 : notional / volume,
      ticks: sorted.length,
    };
  });
}

/** Alerts for candles that moved at least `thresholdPct` from open to close. */
export function alertsFromCandles(candles: CandleInput[], thresholdPct: number): AlertInput[] {
  return candles
    .map((c) => ({ c, movePct: ((c.close - c.open) / c.open) * 100 }))
    .filter(({ movePct }) => Math.abs(movePct) >= thresholdPct)
    .map(({ c, movePct }) => ({
      symbol: c.symbol,
      startMs: c.startMs,
      direction: movePct >= 0 ? ('up' as const) : ('down' as const),
      movePct,
      open: c.open,
      close: c.close,
      thresholdPct,
    }));
}

/** A small deterministic PRNG (mulberry32), so generated markets are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MarketOptions {
  symbols: Record<string, number>;
  startMs: number;
  ticks: number;
  /** Spacing between consecutive ticks of all symbols together. */
  stepMs: number;
  seed?: number;
  idPrefix?: string;
}

/** A random walk per symbol, ticks round-robin over the symbols, prices rounded to cents. */
export function generateTicks(options: MarketOptions): TickInput[] {
  return [...tickBatches(options, options.ticks)].flat();
}

/** The same ticks as generateTicks, `batchSize` at a time, so a million never sit in memory at once. */
export function* tickBatches(options: MarketOptions, batchSize: number): Generator<TickInput[]> {
  const random = prng(options.seed ?? 42);
  const prices = new Map(Object.entries(options.symbols));
  const symbols = [...prices.keys()];
  let batch: TickInput[] = [];
  for (let i = 0; i < options.ticks; i += 1) {
    const symbol = symbols[i % symbols.length] as string;
    const previous = prices.get(symbol) as number;
    const price = Math.max(0.01, Math.round(previous * (1 + (random() - 0.5) * 0.001) * 100) / 100);
    prices.set(symbol, price);
    batch.push({
      id: `${options.idPrefix ?? 't'}-${i}`,
      symbol,
      price,
      volume: 1 + Math.floor(random() * 500),
      ms: options.startMs + i * options.stepMs,
    });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
