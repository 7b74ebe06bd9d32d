/**
 * Nothing unbounded on the wire (issue 14), on the real stack with a small request bound (4 KiB):
 * a single record too large for one request ends as exactly one dead letter, a busy symbol's window
 * (60 ticks, whose records alone would not fit in 4 KiB) is a candle like any other, because a window
 * is an accumulator and its finish request is small (issue 18), the job never restarts, and the
 * largest request the bridge sent (gauge workerMaxRequestBytes) stays under the bound, the REJECT call
 * that makes the oversized record's dead letter included: it carries only the prefix of the record that
 * fits the bound (at most 64 KiB under a larger bound), with the whole record's length and SHA-256.
 * Bytes that are not UTF-8 are kept as base64.
 * The hot key at scale (500,000 ticks in a minute) is hotkey.e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { DeadLetterRow } from '../../pipeline/src/dsl';
import { NOT_UTF8 } from '../../pipeline/src/runtime/chain';
import { E2ERun, eventually } from './harness';

const BOUND = 4096;
const T0 = Date.UTC(2026, 0, 5, 14, 30, 0, 0);
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A `dead_letters` row as the test reads it back. */
type DeadLetter = DeadLetterRow;

function tick(id: string, symbol: string, price: number, atMs: number) {
  const value = JSON.stringify({ id, symbol, price, volume: 10, ts: new Date(atMs).toISOString() });
  return { key: symbol, value, timestampMs: atMs };
}

it('an oversized record is one dead letter, a busy window a candle, with no restart', async () => {
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
      'two dead letters and the AAA and HOT candles are visible',
      async () => {
        deadLetters = await query<DeadLetter>(
          'SELECT origin, step, reason, raw, raw_bytes, raw_sha256, raw_encoding, toString(ts) AS ts FROM dead_letters FINAL ORDER BY step, raw_bytes',
        );
        const candles = await query<{ symbol: string }>('SELECT symbol FROM candles_1m FINAL');
        return deadLetters.length >= 2 && candles.length >= 2;
      },
      240_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.logHint()}`);
    });
    for (const d of deadLetters) d.raw_bytes = Number(d.raw_bytes);
    expect(deadLetters.map((d) => [d.step, d.raw_bytes])).toEqual([
      ['parse-tick', 3],
      ['parse-tick', 100_000],
    ]);
    const [bad, oversized] = deadLetters as [DeadLetter, DeadLetter];
    // The 60 hot ticks as JSON are more than the bound: the records of that window could never be one request.
    expect(Buffer.byteLength(JSON.stringify(hot.map((t) => t.value)))).toBeGreaterThan(BOUND);

    // The record too large for any request: never sent whole; its dead letter's REJECT request holds
    // the prefix that fits the 4 KiB bound beside the reason and origin (a few hundred bytes).
    expect(oversized.origin).toMatch(new RegExp(`^${run.config.kafka.ticksTopic}/\\d+/\\d+$`));
    expect(oversized.reason).toMatch(
      /^too large: this record makes a Process request of 1000\d\d bytes on its own, over the bridge's bound of 4096 bytes \(--max-request-bytes\)$/,
    );
    expect(oversized.raw).toBe(big.subarray(0, oversized.raw.length).toString('utf8'));
    expect(oversized.raw.length).toBeGreaterThan(BOUND - 400);
    expect(oversized.raw.length).toBeLessThan(BOUND);
    expect([oversized.raw_sha256, oversized.raw_encoding, oversized.ts]).toEqual([
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
    expect(rejected).toEqual([bad, oversized].map((d) => ({ origin: d.origin, step: d.step, raw: d.raw })));
    const topic = await run.readDeadLetters(2, 60_000);
    expect(topic.map((d) => (d as unknown as DeadLetter).raw_sha256).sort()).toEqual(
      deadLetters.map((d) => d.raw_sha256).sort(),
    );

    // Both candles and every valid tick are there, and no restart happened. HOT: prices 100.00 .. 100.59
    // in event-time order, volume 10 each.
    const candles = await query<{
      symbol: string;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: string;
      ticks: string;
    }>('SELECT symbol, open, high, low, close, volume, ticks FROM candles_1m FINAL ORDER BY symbol');
    expect(candles.map((c) => ({ ...c, volume: Number(c.volume), ticks: Number(c.ticks) }))).toEqual([
      { symbol: 'AAA', open: 51, high: 53, low: 51, close: 53, volume: 30, ticks: 3 },
      { symbol: 'HOT', open: 100, high: 100.59, low: 100, close: 100.59, volume: 600, ticks: 60 },
    ]);
    const ticks = await query<{ n: string }>('SELECT count() AS n FROM ticks FINAL');
    expect(Number(ticks[0]?.n)).toBe(60 + 3 + 6);
    expect(await run.restarts()).toBe(0);

    // The largest request sent, per worker-calling operator (Flink's REST metric cache lags ~10 s).
    let maxima = new Map<string, number>();
    const idle = (id: string) => id.includes('late_records') || id.includes('refused_records');
    await eventually(
      'the workerMaxRequestBytes gauges are reported',
      async () => {
        maxima = await run.operatorMetricMax('workerMaxRequestBytes');
        // Every call that ran reported its largest request; the late-record and refused-record calls
        // never ran (nothing was late or ahead of the clock).
        const sent = (id: string) => (maxima.get(id) ?? 0) > 0;
        return [...maxima.keys()].filter((id) => !idle(id)).every(sent) && maxima.size >= 5;
      },
      60_000,
    );
    expect([...maxima.keys()].sort()).toEqual([
      'candles-1m_[worker_finish].workerMaxRequestBytes',
      'candles-1m_[worker_late_records].workerMaxRequestBytes',
      'parse-tick_[worker_chain].workerMaxRequestBytes',
      'price-move-alerts_[worker_chain].workerMaxRequestBytes',
      'read-ticks_[worker_refused_records].workerMaxRequestBytes',
    ]);
    for (const [id, max] of maxima) {
      expect.soft(max, id).toBeLessThanOrEqual(BOUND);
      if (!idle(id)) expect.soft(max, id).toBeGreaterThan(0);
    }
    console.log(`[e2e] bounded: largest requests ${JSON.stringify(Object.fromEntries(maxima))}`);
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
