/**
 * A poison input on the real stack (issue 14): a worker that fails every call holding one record
 * with INTERNAL (a stand-in in front of the real worker) makes the job fail and restart; once the
 * record failed the same way after --poison-restarts restarts it is a dead letter and the job
 * runs on: exactly that many restarts (Flink's numRestarts), every other tick and candle written.
 */
import { expect, it } from 'vitest';
import { bytesToText } from '../../pipeline/src/runtime/wire';
import { E2ERun, eventually } from './harness';
import { type PoisonProxy, startPoisonProxy } from './poison-proxy';

const T0 = Date.UTC(2026, 0, 5, 14, 30, 0, 0);

function tick(id: string, symbol: string, price: number, atMs: number) {
  const value = JSON.stringify({ id, symbol, price, volume: 10, ts: new Date(atMs).toISOString() });
  return { key: symbol, value, timestampMs: atMs };
}

it('a record the worker always fails on is a dead letter after --poison-restarts restarts', async () => {
  let proxy: PoisonProxy | undefined;
  const run = await E2ERun.start('poison', {
    tuning: { poisonRestarts: 1, callRetries: 0 },
    bridgeWorker: async (workerAddress) => {
      proxy ??= await startPoisonProxy(workerAddress, (r) => bytesToText(r.value).includes('"symbol":"PSN"'));
      return proxy.address;
    },
  });
  let passed = false;
  try {
    const calm = [1, 2, 3].map((s) => tick(`calm-${s}`, 'AAA', 50 + s, T0 + s * 1000));
    await run.publishRaw([...calm.slice(0, 2), tick('poison-1', 'PSN', 1, T0 + 2500), calm[2]!]);

    const query = async <T>(sql: string) =>
      (await (await run.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    const withHint = (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.logHint()}`);
    };
    let deadLetters: { origin: string; step: string; reason: string; raw: string }[] = [];
    await eventually(
      'the poison record is a dead letter',
      async () => {
        deadLetters = await query('SELECT origin, step, reason, raw FROM dead_letters FINAL');
        return deadLetters.length >= 1;
      },
      240_000,
    ).catch(withHint);
    // Only now the records that close the 14:30 windows: watermarks are not in checkpoints, so a job
    // restored after it had read its whole input would wait for new records before windows fire.
    await run.publishToEveryPartition((p) => ({ ...tick(`sentinel-${p}`, 'ZZZZ', 1, T0 + 150_000) }));
    await eventually(
      'the AAA candle is written',
      async () => (await query<{ symbol: string }>('SELECT symbol FROM candles_1m FINAL')).length >= 1,
      120_000,
    ).catch(withHint);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      step: 'parse-tick',
      reason:
        'poison: failed the same way in 2 attempts (1 restart, --poison-restarts 1): INTERNAL: injected: a worker bug on this record',
      raw: tick('poison-1', 'PSN', 1, T0 + 2500).value,
    });
    expect(deadLetters[0]?.origin).toMatch(new RegExp(`^${run.config.kafka.ticksTopic}/\\d+/\\d+$`));
    const candles = await query<{ symbol: string; ticks: number }>('SELECT symbol, ticks FROM candles_1m FINAL');
    expect(candles).toEqual([{ symbol: 'AAA', ticks: 3 }]);
    const ticks = await query<{ n: string }>('SELECT count() AS n FROM ticks FINAL');
    expect(Number(ticks[0]?.n)).toBe(3 + 6);
    expect(await run.restarts()).toBe(1);
    // Once per attempt the batch holding it, then the record alone, was refused: nothing after the dead letter.
    console.log(`[e2e] poison: refused Process calls by size ${JSON.stringify(proxy?.refused)}`);
    expect(proxy?.refused.filter((size) => size === 1)).toHaveLength(2);
    passed = true;
  } finally {
    await run.cleanup(!passed);
    await proxy?.close();
  }
});
