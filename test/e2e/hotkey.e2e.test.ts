/**
 * A hot key (issue 18): 500,000 ticks of one symbol inside one minute of event time, with the message
 * limits unchanged. Windows are accumulators, so the window state for that key is one accumulator,
 * each tick crosses gRPC once (in the parse-tick batch), and the fired window is one small finish
 * call. Checked from outside: one candle equal to an oracle computed here from the generated ticks,
 * no job restart, the largest worker request under 4 MiB (the bridge's workerMaxRequestBytes gauge)
 * and the checkpointed state of the window operator's subtasks under 64 KiB while the minute is open.
 */
import { expect, it } from 'vitest';
import { E2ERun, eventually } from './harness';
import { sentinelsAfter } from './scenario';

const COUNT = 500_000;
const T0 = Date.UTC(2026, 0, 5, 14, 30, 0, 0);
const REQUEST_LIMIT = 4 * 1024 * 1024;
const STATE_LIMIT = 64 * 1024;
const RELATIVE_TOLERANCE = 1e-9;

interface HotTick {
  id: string;
  price: number;
  volume: number;
  atMs: number;
}

/**
 * The generated ticks in send order (event time never decreases). About eight share each
 * millisecond, and their ids are not in send order, so open and close depend on the id tie-break.
 */
function hotTicks(): HotTick[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    // 7 and 500,000 are coprime: every id once, in an order unlike the send order.
    id: `hot-${String((i * 7) % COUNT).padStart(6, '0')}`,
    price: 100 + ((i * 7919) % 1000) / 100,
    volume: 1 + (i % 13),
    atMs: T0 + Math.floor((i * 60_000) / COUNT),
  }));
}

/** The candle, computed here: order by event time then id; VWAP = Σ price·volume / Σ volume. */
function oracle(ticks: readonly HotTick[]) {
  const sorted = [...ticks].sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let notional = 0;
  for (const t of sorted) {
    high = Math.max(high, t.price);
    low = Math.min(low, t.price);
    volume += t.volume;
    notional += t.price * t.volume;
  }
  return {
    symbol: 'HOT',
    window_start: '2026-01-05 14:30:00',
    open: sorted[0]!.price,
    high,
    low,
    close: sorted[sorted.length - 1]!.price,
    volume,
    vwap: notional / volume,
    ticks: sorted.length,
  };
}

it('500,000 ticks of one symbol in one minute: one exact candle, no restart, small requests and O(1) window state', async () => {
  const run = await E2ERun.start('hotkey');
  let passed = false;
  try {
    const ticks = hotTicks();
    const expected = oracle(ticks);
    const started = Date.now();
    await run.publishMany(
      ticks.map((t) => ({
        key: 'HOT',
        value: JSON.stringify({
          id: t.id,
          symbol: 'HOT',
          price: t.price,
          volume: t.volume,
          ts: new Date(t.atMs).toISOString(),
        }),
        timestampMs: t.atMs,
      })),
      5_000,
      (sent) => {
        if (sent % 100_000 === 0)
          console.log(`[e2e] hotkey: ${sent} ticks sent (${Math.round((Date.now() - started) / 1000)} s)`);
      },
    );

    const query = async <T>(sql: string) =>
      (await (await run.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    // The ticks sink commits on a checkpoint; when it holds every tick, the window operator (downstream of
    // the same chain, before the same barrier) has merged every one of them into the open minute.
    await eventually(
      `all ${COUNT} ticks are in the ticks table`,
      async () => {
        const [row] = await query<{ n: string }>('SELECT count() AS n FROM ticks FINAL');
        const n = Number(row?.n ?? 0);
        if (n > 0 && n % 50_000 < 5_000) console.log(`[e2e] hotkey: ${n} ticks written`);
        return n === COUNT;
      },
      300_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.logHint()}`);
    });
    const state = await run.checkpointedStateSizes('candles-1m [window accumulator]', Date.now());
    console.log(
      `[e2e] hotkey: checkpoint ${state.checkpointId}, ${state.vertex}: subtask state ${JSON.stringify(state.subtaskBytes)} bytes`,
    );
    expect(state.subtaskBytes.length).toBeGreaterThan(0);
    expect(Math.max(...state.subtaskBytes)).toBeGreaterThan(0);
    expect(Math.max(...state.subtaskBytes)).toBeLessThan(STATE_LIMIT);
    expect(await query('SELECT symbol FROM candles_1m FINAL')).toEqual([]);

    // Every partition's watermark past 14:31 fires the minute.
    // (The sentinels' own minute starts at 14:32 and stays open.)
    await run.publishToEveryPartition(sentinelsAfter(T0 + 59_999).make);
    type Candle = typeof expected;
    let candles: Candle[] = [];
    await eventually(
      'the HOT candle is written',
      async () => {
        candles = await query<Candle>(
          "SELECT symbol, toString(window_start) AS window_start, open, high, low, close, volume, vwap, ticks FROM candles_1m FINAL WHERE symbol = 'HOT'",
        );
        return candles.length > 0;
      },
      120_000,
    );
    expect(candles).toHaveLength(1);
    const [candle] = candles as [Candle];
    const { vwap, ...exact } = expected;
    expect({ ...candle, volume: Number(candle.volume), ticks: Number(candle.ticks), vwap: 0 }).toEqual({
      ...exact,
      vwap: 0,
    });
    expect(Math.abs(candle.vwap - vwap)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.abs(vwap));
    expect(await query('SELECT step, reason FROM dead_letters FINAL')).toEqual([]);
    expect(await run.restarts()).toBe(0);

    let maxima = new Map<string, number>();
    await eventually(
      'the workerMaxRequestBytes gauges of the chain and the finish are reported',
      async () => {
        maxima = await run.operatorMetricMax('workerMaxRequestBytes');
        const ids = [...maxima.entries()].filter(([, max]) => max > 0).map(([id]) => id);
        // The late-record call never ran (no tick was late): its gauge stays 0.
        return ids.some((id) => id.startsWith('parse-tick')) && ids.some((id) => id.includes('finish'));
      },
      60_000,
    );
    console.log(`[e2e] hotkey: largest requests ${JSON.stringify(Object.fromEntries(maxima))}`);
    for (const [id, max] of maxima) expect.soft(max, id).toBeLessThan(REQUEST_LIMIT);
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
