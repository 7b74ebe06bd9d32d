/**
 * Nothing unbounded on the wire (issue 14), on the real stack with a small request bound (4 KiB):
 * a hot symbol's fired window and a single record too large for one request each end as exactly
 * one dead letter, the job never restarts, other symbols' candles are written, and the largest
 * request the bridge sent (gauge workerMaxRequestBytes) stays under the bound. Dead letters keep
 * their raw input bounded: 64 KiB of a 100 KB record, base64 for bytes that are not UTF-8.
 */
import { createHash } from 'node:crypto';
import { parseTick } from '@ticker/common';
import { expect, it } from 'vitest';
import { NOT_UTF8 } from '../../pipeline/src/runtime/chain';
import { tickToRow } from '../../pipeline/src/stock/logic';
import { E2ERun, eventually } from './harness';

const BOUND = 4096;
const T0 = Date.UTC(2026, 0, 5, 14, 30, 0, 0);
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

interface DeadLetter {
  origin: string;
  step: string;
  reason: string;
  raw: string;
  raw_bytes: number;
  raw_sha256: string;
  raw_encoding: string;
  ts: string;
}

/** What the window's dead letter holds as raw: its rows as the worker would have aggregated them. */
function windowRaw(ticks: readonly { value: string }[]): string {
  const rows = ticks.map((t) => {
    const parsed = parseTick(t.value);
    if (!parsed.ok) throw new Error(parsed.reason);
    return JSON.stringify(tickToRow(parsed.tick));
  });
  return `[${rows.join(',')}]`;
}

function tick(id: string, symbol: string, price: number, atMs: number) {
  const value = JSON.stringify({ id, symbol, price, volume: 10, ts: new Date(atMs).toISOString() });
  return { key: symbol, value, timestampMs: atMs };
}

it('an oversized window and an oversized record are one dead letter each, with no restart', async () => {
  const run = await E2ERun.start('bounded', { tuning: { maxRequestBytes: BOUND } });
  let passed = false;
  try {
    const hot = Array.from({ length: 60 }, (_, i) => tick(`hot-${i}`, 'HOT', 100 + i / 100, T0 + 500 * i));
    const calm = [1, 2, 3].map((s) => tick(`calm-${s}`, 'AAA', 50 + s, T0 + s * 1000));
    const big = Buffer.from(`{"pad":"${'x'.repeat(100_000 - 10)}"}`);
    const notUtf8 = Buffer.from([0x7b, 0xff, 0x7d]);
    await run.publishRaw([
      ...calm,
      ...hot,
      { key: 'BIG', value: big, timestampMs: T0 + 10_000 },
      { key: 'BAD', value: notUtf8, timestampMs: T0 + 11_000 },
    ]);
    // Every partition's watermark past 14:31 fires the 14:30 windows; the sentinels' own window stays open.
    const sentinelMs = T0 + 150_000;
    await run.publishToEveryPartition((p) => ({ ...tick(`sentinel-${p}`, 'ZZZZ', 1, sentinelMs) }));

    const query = async <T>(sql: string) =>
      (await (await run.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    let deadLetters: DeadLetter[] = [];
    await eventually(
      'three dead letters and the AAA candle are visible',
      async () => {
        deadLetters = await query<DeadLetter>(
          'SELECT origin, step, reason, raw, raw_bytes, raw_sha256, raw_encoding, toString(ts) AS ts FROM dead_letters FINAL ORDER BY step, raw_bytes',
        );
        const candles = await query<{ symbol: string }>('SELECT symbol FROM candles_1m FINAL');
        return deadLetters.length >= 3 && candles.some((c) => c.symbol === 'AAA');
      },
      240_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.logHint()}`);
    });
    for (const d of deadLetters) d.raw_bytes = Number(d.raw_bytes);
    expect(deadLetters.map((d) => [d.step, d.raw_bytes])).toEqual([
      ['candles-1m', expect.any(Number)],
      ['parse-tick', 3],
      ['parse-tick', 100_000],
    ]);
    const [window, bad, oversized] = deadLetters as [DeadLetter, DeadLetter, DeadLetter];

    // The hot window: named by key and bounds, raw = its 60 rows as the worker would have seen them.
    const hotRaw = windowRaw(hot);
    expect(window.origin).toBe(`candles-1m/HOT/${T0}`);
    expect(window.reason).toMatch(
      /^too large: window \[2026-01-05T14:30:00Z, 2026-01-05T14:31:00Z\) of key 'HOT' \(60 records\) makes an Aggregate request of (\d+) bytes, over the bridge's bound of 4096 bytes \(--max-request-bytes\)$/,
    );
    expect(Number(/request of (\d+) bytes/.exec(window.reason)?.[1])).toBeGreaterThan(BOUND);
    expect([window.raw, window.raw_bytes, window.raw_sha256, window.raw_encoding, window.ts]).toEqual([
      hotRaw,
      Buffer.byteLength(hotRaw),
      sha256(hotRaw),
      'utf8',
      '2026-01-05 14:30:59',
    ]);

    // The record too large for any request: never sent, its raw cut to 64 KiB.
    expect(oversized.origin).toMatch(new RegExp(`^${run.config.kafka.ticksTopic}/\\d+/\\d+$`));
    expect(oversized.reason).toMatch(
      /^too large: this record makes a Process request of 1000\d\d bytes on its own, over the bridge's bound of 4096 bytes \(--max-request-bytes\)$/,
    );
    expect([oversized.raw, oversized.raw_sha256, oversized.raw_encoding, oversized.ts]).toEqual([
      big.subarray(0, 65_536).toString('utf8'),
      sha256(big),
      'utf8',
      '2026-01-05 14:30:10',
    ]);

    // Bytes that are not UTF-8: rejected before the worker's parse step, kept exactly as base64.
    expect(bad.reason).toBe(NOT_UTF8);
    expect([bad.raw, bad.raw_sha256, bad.raw_encoding]).toEqual(['e/99', sha256(notUtf8), 'base64']);

    // `rejected` gets the same rows (the view copies the contract columns), the DLQ topic too.
    const rejected = await query<{ origin: string; step: string; raw: string }>(
      'SELECT origin, step, raw FROM rejected FINAL ORDER BY step, length(raw)',
    );
    expect(rejected).toEqual([window, bad, oversized].map((d) => ({ origin: d.origin, step: d.step, raw: d.raw })));
    const topic = await run.readDeadLetters(3, 60_000);
    expect(topic.map((d) => (d as unknown as DeadLetter).raw_sha256).sort()).toEqual(
      deadLetters.map((d) => d.raw_sha256).sort(),
    );

    // The job carried on: the calm symbol's candle and every valid tick are there, and no restart happened.
    const candles = await query<{ symbol: string; ticks: number }>('SELECT symbol, ticks FROM candles_1m FINAL');
    expect(candles).toEqual([{ symbol: 'AAA', ticks: 3 }]);
    const ticks = await query<{ n: string }>('SELECT count() AS n FROM ticks FINAL');
    expect(Number(ticks[0]?.n)).toBe(60 + 3 + 6);
    expect(await run.restarts()).toBe(0);

    // The largest request sent, per worker-calling operator (Flink's REST metric cache lags ~10 s).
    let maxima = new Map<string, number>();
    await eventually(
      'the workerMaxRequestBytes gauges are reported',
      async () => {
        maxima = await run.operatorMetricMax('workerMaxRequestBytes');
        return [...maxima.keys()].some((id) => id.startsWith('parse-tick')) && [...maxima.values()].every((v) => v > 0);
      },
      60_000,
    );
    for (const [id, max] of maxima) {
      expect.soft(max, id).toBeLessThanOrEqual(BOUND);
      expect.soft(max, id).toBeGreaterThan(0);
    }
    console.log(`[e2e] bounded: largest requests ${JSON.stringify(Object.fromEntries(maxima))}`);
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});

it('a hot symbol-minute over the default 8 MiB bound is a dead letter naming the window; the job runs on', async () => {
  // The issue's case scaled down: 65,000 ticks of one symbol in one minute make a window of about
  // 10 MB, over the default bound (the issue's 600,000 made 84 MB, over the 64 MiB message limit).
  const run = await E2ERun.start('hot-symbol');
  let passed = false;
  try {
    const count = 65_000;
    const hot = Array.from({ length: count }, (_, i) =>
      tick(`hot-${i}`, 'HOT', 100 + (i % 100) / 100, T0 + Math.floor((i * 60_000) / count)),
    );
    for (let i = 0; i < hot.length; i += 2_000) await run.publishRaw(hot.slice(i, i + 2_000));
    await run.publishToEveryPartition((p) => ({ ...tick(`sentinel-${p}`, 'ZZZZ', 1, T0 + 150_000) }));

    const query = async <T>(sql: string) =>
      (await (await run.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    let deadLetters: DeadLetter[] = [];
    await eventually(
      'the hot window is a dead letter',
      async () => {
        deadLetters = await query<DeadLetter>(
          'SELECT origin, step, reason, raw, raw_bytes, raw_sha256, raw_encoding, toString(ts) AS ts FROM dead_letters FINAL',
        );
        return deadLetters.length >= 1;
      },
      300_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.logHint()}`);
    });
    const hotRaw = windowRaw(hot);
    expect(deadLetters).toHaveLength(1);
    const [window] = deadLetters as [DeadLetter];
    expect(window.origin).toBe(`candles-1m/HOT/${T0}`);
    const reason =
      /^too large: window \[2026-01-05T14:30:00Z, 2026-01-05T14:31:00Z\) of key 'HOT' \(65000 records\) makes an Aggregate request of (\d+) bytes, over the bridge's bound of 8388608 bytes \(--max-request-bytes\)$/.exec(
        window.reason,
      );
    expect(reason, window.reason).not.toBeNull();
    expect([window.raw, Number(window.raw_bytes), window.raw_sha256, window.raw_encoding]).toEqual([
      hotRaw.slice(0, 65_536),
      Buffer.byteLength(hotRaw),
      sha256(hotRaw),
      'utf8',
    ]);
    const ticks = await query<{ n: string }>('SELECT count() AS n FROM ticks FINAL');
    expect(Number(ticks[0]?.n)).toBe(count + 6);
    expect(await run.restarts()).toBe(0);
    console.log(
      `[e2e] hot symbol: ${count} ticks, Aggregate request would have been ${reason?.[1]} bytes; raw ${window.raw_bytes} bytes`,
    );
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
